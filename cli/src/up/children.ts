/**
 * Child processes of `fleetprof up` (nats-server, the demo): started so that they die with
 * us even on a crash (`setpriv --pdeathsig KILL` when util-linux has it), stopped with
 * SIGTERM then SIGKILL, and always waited for, so Ctrl-C leaves nothing behind.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";

export interface Child {
  name: string;
  proc: ChildProcess;
  pid: number;
  /** Recent output (both streams), for error messages. */
  output: () => string;
  /** Resolves when `pattern` appears in the output; rejects when the process exits first or after `timeoutMs`. */
  waitFor: (pattern: RegExp, timeoutMs: number) => Promise<void>;
  exited: Promise<number | string>;
  stop: (graceMs?: number) => Promise<void>;
}

let setprivChecked: boolean | undefined;
function hasSetpriv(): boolean {
  setprivChecked ??= spawnSync("setpriv", ["--version"], { stdio: "ignore" }).status === 0;
  return setprivChecked;
}

export function startChild(name: string, command: string, args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Child {
  const [cmd, argv] = hasSetpriv() ? ["setpriv", ["--pdeathsig", "KILL", "--", command, ...args]] : [command, args];
  // Own process group: a Ctrl-C reaches only `fleetprof up`, which then stops children in order.
  const proc = spawn(cmd, argv, { stdio: ["ignore", "pipe", "pipe"], env: options.env ?? process.env, cwd: options.cwd, detached: true });
  let output = "";
  const listeners = new Set<() => void>();
  const onData = (d: Buffer): void => {
    output = (output + d.toString("utf8")).slice(-20_000);
    for (const l of listeners) l();
  };
  proc.stdout?.on("data", onData);
  proc.stderr?.on("data", onData);
  let spawnError: Error | undefined;
  const exited = new Promise<number | string>((resolve) => {
    proc.once("error", (err) => {
      spawnError = err;
      resolve("error");
    });
    proc.once("exit", (code, signal) => resolve(code ?? signal ?? "unknown"));
  });
  void exited.then(() => {
    for (const l of listeners) l();
  });
  const running = (): boolean => proc.exitCode === null && proc.signalCode === null && spawnError === undefined;
  const waitFor = (pattern: RegExp, timeoutMs: number): Promise<void> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        if (pattern.test(output)) {
          done();
          resolve();
        } else if (!running()) {
          done();
          reject(new Error(`${name} exited before it was ready${spawnError === undefined ? "" : ` (${spawnError.message})`}:\n${output.slice(-2000)}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`${name} was not ready within ${String(timeoutMs / 1000)} s:\n${output.slice(-2000)}`));
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        listeners.delete(check);
      };
      listeners.add(check);
      check();
    });
  const stop = async (graceMs = 5000): Promise<void> => {
    if (!running()) {
      await exited;
      return;
    }
    proc.kill("SIGTERM");
    const timer = setTimeout(() => proc.kill("SIGKILL"), graceMs);
    await exited;
    clearTimeout(timer);
  };
  return { name, proc, pid: proc.pid ?? -1, output: () => output, waitFor, exited, stop };
}
