/**
 * Real Python workloads from test/workloads/. Each prints `READY <pid>` once it is running
 * its steady state, so tests can attach py-spy to a process that is already busy.
 */
import { execFileSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { spawnTracked, type Tracked } from "./processes.js";

export const WORKLOADS_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "workloads");

/** The real CPython interpreter behind `python3` (resolving pyenv shims), so /proc shows python. */
export function pythonExecutable(): string {
  return execFileSync("python3", ["-c", "import sys; print(sys.executable)"], { encoding: "utf8" }).trim();
}

export interface WorkloadOptions {
  args?: string[];
  env?: Record<string, string>;
  /** Interpreter; default the real python3. */
  python?: string;
  readyTimeoutMs?: number;
}

export interface Workload extends Tracked {
  script: string;
}

let cachedPython: string | undefined;

/** Starts `test/workloads/<name>.py` and waits until it says READY. */
export async function startWorkload(name: string, options: WorkloadOptions = {}): Promise<Workload> {
  cachedPython ??= pythonExecutable();
  const script = join(WORKLOADS_DIR, `${name}.py`);
  const child = spawnTracked(options.python ?? cachedPython, ["-u", script, ...(options.args ?? [])], {
    env: { ...process.env, ...options.env },
  });
  await child.waitFor(/READY \d+/, options.readyTimeoutMs ?? 15_000);
  return { ...child, script };
}

/** Path to the py-spy binary (PY_SPY env, else the one next to python3, else PATH). */
export function pySpyPath(): string {
  if (process.env["PY_SPY"] !== undefined) return process.env["PY_SPY"];
  cachedPython ??= pythonExecutable();
  const candidate = join(dirname(cachedPython), "py-spy");
  try {
    execFileSync(candidate, ["--version"]);
    return candidate;
  } catch {
    return "py-spy";
  }
}
