/**
 * `fleetprof up` from the repository's sources as a tracked child process, the way the
 * end-to-end and hostile tests start the whole local stack.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { spawnTracked, type Tracked } from "./processes.js";

export const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));
const BIN = join(REPO_ROOT, "cli", "src", "bin.ts");

/**
 * The demo's environment for tests: its agent profiles only the demo's script (not whatever else
 * runs here), in 5 s windows. Any stack's demo matches, so two such stacks must not run at once
 * (vitest.config.ts runs their files one after the other).
 */
export const DEMO_ONLY_ENV: Readonly<Record<string, string>> = { FLEETPROF_INCLUDE: "demo/shop\\.py", FLEETPROF_LOG_LEVEL: "warn", FLEETPROF_WINDOW: "5s" };

export interface UpOptions {
  /** Added to the child's environment. */
  env?: Record<string, string>;
  /** Node's own flags, before the script (e.g. a heap limit). */
  nodeArgs?: string[];
}

/** Starts `fleetprof up <args>` in the repository's root. */
export function startFleetprofUp(args: readonly string[], options: UpOptions = {}): Tracked {
  return spawnTracked(process.execPath, [...(options.nodeArgs ?? []), "--conditions=@fleetprof/source", "--import", "tsx", BIN, "up", ...args], {
    cwd: REPO_ROOT,
    env: { FLEETPROF_LOG_LEVEL: "warn", ...options.env },
  });
}
