/**
 * Why a py-spy run failed, from what it printed, and the one log line that tells the user
 * what to do about it.
 */
import { INSTALL_HINT } from "./locate.js";

export type FailureKind =
  /** py-spy could not be started at all. */
  | "not-installed"
  /** The kernel refused ptrace / process_vm_readv. */
  | "permission"
  /** Not a CPython py-spy can read (PyPy, free-threaded, too new, stripped). */
  | "unsupported"
  /** The process ended before or while py-spy attached. */
  | "gone"
  /** py-spy did not start or did not write its output within the deadline. */
  | "hung"
  /** py-spy needed more memory than --py-spy-max-memory allows. */
  | "memory"
  /** Anything else py-spy complained about. */
  | "other";

export function classifyFailure(output: string): FailureKind {
  if (/memory allocation of \d+ bytes failed/.test(output)) return "memory";
  if (/Permission Denied|Operation not permitted|os error 1\)|os error 13\)|EPERM|EACCES/i.test(output)) return "permission";
  if (/No such file or directory|Check that the process is running|No such process|os error 3\)|process .* not found/i.test(output)) return "gone";
  if (/Failed to find python version|Unsupported version|unsupported python|Failed to find a python interpreter|free-threaded|pypy/i.test(output))
    return "unsupported";
  return "other";
}

export interface FailureContext {
  pid: number;
  service: string;
  user: string | undefined;
  pySpy: string;
  /** kernel.yama.ptrace_scope, when the kernel has Yama. */
  ptraceScope: string | undefined;
  /** First meaningful line py-spy printed. */
  detail: string;
  retryInMs: number;
}

/** One line: what happened and what to do. */
export function failureMessage(kind: FailureKind, c: FailureContext): string {
  const who = `pid ${String(c.pid)} (service ${c.service}${c.user === undefined ? "" : `, user ${c.user}`})`;
  const retry = c.retryInMs > 0 ? `; retrying in ${String(Math.round(c.retryInMs / 1000))}s` : "";
  switch (kind) {
    case "not-installed":
      return `cannot run py-spy (${c.pySpy}): ${c.detail}; ${INSTALL_HINT}${retry}`;
    case "permission": {
      const yama =
        c.ptraceScope === undefined
          ? "this kernel has no Yama ptrace_scope"
          : `kernel.yama.ptrace_scope is ${c.ptraceScope}${c.ptraceScope === "0" || c.ptraceScope === "1" ? "" : " (2 allows only CAP_SYS_PTRACE, 3 forbids ptrace entirely: set it to 1 with sysctl)"}`;
      return (
        `py-spy may not trace ${who}: run the agent as root or give it CAP_SYS_PTRACE ` +
        `(docker: --cap-add SYS_PTRACE --pid host; Kubernetes: hostPID: true and securityContext.capabilities.add: [SYS_PTRACE]); ${yama}${retry}`
      );
    }
    case "unsupported":
      return `py-spy cannot read the interpreter of ${who}: ${c.detail} (PyPy and free-threaded CPython are not supported; a py-spy newer than this one may support a newer CPython)${retry}`;
    case "gone":
      return `${who} ended while py-spy attached`;
    case "hung":
      return `py-spy on ${who} did not respond within its deadline and was killed; its window is lost (${c.detail})${retry}`;
    case "memory":
      return `py-spy on ${who} needed more memory than --py-spy-max-memory allows and stopped; its samples are lost (its output grows with rate × duration × threads × stack depth: capture shorter, at a lower rate or in cpu mode, or raise --py-spy-max-memory)${retry}`;
    case "other":
      return `py-spy failed on ${who}: ${c.detail}${retry}`;
  }
}

/** The first line of py-spy's output worth showing (skips backtraces and the prompt prefix). */
export function firstErrorLine(output: string): string {
  for (const raw of output.split("\n")) {
    const line = raw.replace(/^py-spy> /, "").trim();
    if (line === "" || /^(Stack backtrace|\d+: |Caused by)/.test(line) || /^Sampling process/.test(line)) continue;
    return line.length > 300 ? `${line.slice(0, 300)}…` : line;
  }
  return "no output";
}
