/**
 * Every child process a test starts goes through {@link spawnTracked}: it is started under
 * `setpriv --pdeathsig KILL` (so it dies with the test worker even on a crash), tagged with
 * the run's id in FLEETPROF_TEST_CHILD (so the global teardown can find strays), and killed by
 * {@link killAllTracked} after each test file.
 */
import { spawn, type ChildProcess, type SpawnOptions } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

/** Set by the global setup in the vitest main process; inherited by the test workers. */
export const TEST_RUN_ENV = "FLEETPROF_TEST_RUN";
/**
 * Set inside each test worker (not in the worker's own /proc environ, which is fixed at exec),
 * so every process started from a test — directly or by code under test — carries it.
 */
export const TEST_CHILD_ENV = "FLEETPROF_TEST_CHILD";

const tracked = new Set<ChildProcess>();

export interface Tracked {
  proc: ChildProcess;
  pid: number;
  /** Resolves with the exit code (or signal name) when the process ends. */
  exited: Promise<number | string>;
  /** All stdout so far. */
  stdout: () => string;
  /** All stderr so far. */
  stderr: () => string;
  /** Resolves when `pattern` appears on stdout or stderr; rejects if the process exits first or after `timeoutMs`. */
  waitFor: (pattern: RegExp, timeoutMs?: number) => Promise<RegExpExecArray>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when it is gone. */
  stop: (graceMs?: number) => Promise<void>;
}

export function spawnTracked(command: string, args: readonly string[], options: SpawnOptions = {}): Tracked {
  const env = { ...process.env, ...options.env, [TEST_CHILD_ENV]: process.env[TEST_RUN_ENV] ?? "local" };
  const proc = spawn("setpriv", ["--pdeathsig", "KILL", "--", command, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    ...options,
    env,
  });
  if (proc.pid === undefined) throw new Error(`could not start ${command}`);
  tracked.add(proc);
  let out = "";
  let err = "";
  const listeners = new Set<() => void>();
  proc.stdout?.setEncoding("utf8").on("data", (d: string) => {
    out += d;
    for (const l of listeners) l();
  });
  proc.stderr?.setEncoding("utf8").on("data", (d: string) => {
    err += d;
    for (const l of listeners) l();
  });
  const exited = new Promise<number | string>((resolve) => {
    proc.once("exit", (code, signal) => {
      tracked.delete(proc);
      for (const l of listeners) l();
      resolve(code ?? signal ?? "unknown");
    });
  });
  const waitFor = (pattern: RegExp, timeoutMs = 15_000): Promise<RegExpExecArray> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        const m = pattern.exec(out) ?? pattern.exec(err);
        if (m !== null) {
          done();
          resolve(m);
        } else if (proc.exitCode !== null || proc.signalCode !== null) {
          done();
          reject(
            new Error(
              `${command} exited (${String(proc.exitCode ?? proc.signalCode)}) before printing ${String(pattern)}\nstdout: ${out.slice(-2000)}\nstderr: ${err.slice(-2000)}`,
            ),
          );
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(
          new Error(`${command} did not print ${String(pattern)} within ${String(timeoutMs)} ms\nstdout: ${out.slice(-2000)}\nstderr: ${err.slice(-2000)}`),
        );
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        listeners.delete(check);
      };
      listeners.add(check);
      check();
    });
  const stop = async (graceMs = 5000): Promise<void> => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    proc.kill("SIGTERM");
    const timer = setTimeout(() => proc.kill("SIGKILL"), graceMs);
    await exited;
    clearTimeout(timer);
  };
  return { proc, pid: proc.pid, exited, stdout: () => out, stderr: () => err, waitFor, stop };
}

/** Kills every tracked process still running (SIGKILL) and waits for them. */
export async function killAllTracked(): Promise<void> {
  const waits: Promise<void>[] = [];
  for (const proc of tracked) {
    if (proc.exitCode === null && proc.signalCode === null) {
      waits.push(new Promise((resolve) => proc.once("exit", () => resolve())));
      proc.kill("SIGKILL");
    }
  }
  await Promise.all(waits);
  tracked.clear();
}

/** Pids of live processes whose environment carries this run's id (strays, after teardown). */
export function findTaggedProcesses(runId: string): number[] {
  const needle = `${TEST_CHILD_ENV}=${runId}\0`;
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    try {
      const environ = readFileSync(`/proc/${entry}/environ`, "latin1");
      const stat = readFileSync(`/proc/${entry}/stat`, "latin1");
      // zombies have no environ to speak of; skip them
      if (environ.includes(needle) && !/\) Z /.test(stat)) found.push(pid);
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}
