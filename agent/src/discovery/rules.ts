/**
 * Which processes the agent profiles: CPython only, filtered by command-line regexes and by
 * user, never the agent itself or (unless asked) its own children, never a process still
 * starting up.
 */
import type { PythonInfo } from "./python.js";
import { errorMessage } from "@fleetprof/common";

export interface DiscoveryRules {
  /** When non-empty, the command line must match one of these. */
  include: RegExp[];
  /** A command line matching one of these is never profiled. */
  exclude: RegExp[];
  /** When non-empty, the process's user (name or uid) must be one of these. */
  includeUsers: ReadonlySet<string>;
  excludeUsers: ReadonlySet<string>;
  minAgeMs: number;
  /** The agent's own pid. */
  selfPid: number;
  profileOwnChildren: boolean;
}

export interface ProcessFacts {
  pid: number;
  ppid: number;
  uid: number | undefined;
  user: string | undefined;
  cmdline: readonly string[];
  ageMs: number;
  python: PythonInfo;
}

export type Verdict = "profile" | "unsupported" | "not-python" | "self" | "own-child" | "too-young" | "not-included" | "excluded" | "user";

/** Builds rules from option values; throws with the option's name on a bad regex. */
export function compileRules(options: {
  include: readonly string[];
  exclude: readonly string[];
  includeUsers: readonly string[];
  excludeUsers: readonly string[];
  minAgeMs: number;
  selfPid: number;
  profileOwnChildren: boolean;
}): DiscoveryRules {
  const compile = (name: string, list: readonly string[]): RegExp[] =>
    list.map((source) => {
      try {
        return new RegExp(source);
      } catch (err) {
        throw new Error(`option ${name}: "${source}" is not a regular expression (${errorMessage(err)})`, { cause: err });
      }
    });
  return {
    include: compile("include", options.include),
    exclude: compile("exclude", options.exclude),
    includeUsers: new Set(options.includeUsers),
    excludeUsers: new Set(options.excludeUsers),
    minAgeMs: options.minAgeMs,
    selfPid: options.selfPid,
    profileOwnChildren: options.profileOwnChildren,
  };
}

function userMatches(set: ReadonlySet<string>, p: ProcessFacts): boolean {
  return (p.user !== undefined && set.has(p.user)) || (p.uid !== undefined && set.has(String(p.uid)));
}

export function decide(p: ProcessFacts, rules: DiscoveryRules): Verdict {
  if (p.pid === rules.selfPid) return "self";
  if (p.python.kind === "none") return "not-python";
  if (!rules.profileOwnChildren && p.ppid === rules.selfPid) return "own-child";
  const line = p.cmdline.join(" ");
  if (rules.include.length > 0 && !rules.include.some((r) => r.test(line))) return "not-included";
  if (rules.exclude.some((r) => r.test(line))) return "excluded";
  if (rules.includeUsers.size > 0 && !userMatches(rules.includeUsers, p)) return "user";
  if (rules.excludeUsers.size > 0 && userMatches(rules.excludeUsers, p)) return "user";
  if (p.ageMs < rules.minAgeMs) return "too-young";
  if (p.python.kind === "unsupported") return "unsupported";
  return "profile";
}
