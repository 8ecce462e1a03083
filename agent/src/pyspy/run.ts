/**
 * One `py-spy record` run against one process: started, then stopped with SIGINT (py-spy
 * writes its output only on SIGINT or when the process exits), with deadlines on both ends so
 * a hung py-spy is killed rather than waited for. Continuous windows are successive runs; an
 * ad-hoc capture is simply another run with its own options next to them.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { delimiter, join } from "node:path";
import { errorMessage, type Clock } from "@fleetprof/common";
import type { ModeName } from "@fleetprof/proto";
import { classifyFailure, firstErrorLine, type FailureKind } from "./failure.js";
import { emptyOutput, type PySpyOutput } from "./output.js";
import { readSpeedscope } from "./speedscope-reader.js";

/** How py-spy samples: the profile mode names of @fleetprof/proto. */
export type SamplingMode = ModeName;

export interface PySpyRunOptions {
  pySpy: string;
  pid: number;
  rate: number;
  mode: SamplingMode;
  nonblocking: boolean;
  /** Native frames too (py-spy --native). */
  native?: boolean;
  /** Stop by itself after this many seconds (py-spy --duration); otherwise run until stopped. */
  durationSeconds?: number;
  /** Where py-spy writes its speedscope output (removed after reading). */
  outputPath: string;
  /** How long py-spy may take to start sampling, and to exit after SIGINT. */
  deadlineMs: number;
  /** Bytes py-spy may allocate (RLIMIT_DATA through prlimit); unlimited when unset or without prlimit. */
  maxMemoryBytes?: number;
}

export type RunEnd =
  /** Stopped by us (SIGINT) and wrote its output. */
  | "stopped"
  /** The target exited; py-spy wrote what it had. */
  | "process-exited"
  /** py-spy ended on its own after --duration. */
  | "duration"
  /** py-spy failed; see `failure`. */
  | "failed";

export interface PySpyResult {
  end: RunEnd;
  /** What py-spy wrote; undefined when it wrote nothing. */
  output: PySpyOutput | undefined;
  /**
   * Stack samples py-spy says it recorded ("Samples: N"), when it said. Not ticks: in cpu mode
   * idle ticks are not recorded, and with several threads one tick records several.
   */
  recorded: number | undefined;
  /** Errors py-spy reports ("Errors: N"). */
  errors: number;
  /** When py-spy said it was sampling (unix ms); undefined if it never did. */
  startedAt: number | undefined;
  /** When we sent SIGINT (unix ms). */
  stopRequestedAt: number | undefined;
  /** When the py-spy process ended (unix ms). */
  endedAt: number;
  failure?: { kind: FailureKind; detail: string };
}

const SAMPLING = /Sampling process/;
const WROTE = /Samples: (\d+) Errors: (\d+)/;

const toolPaths = new Map<string, string | null>();

/**
 * A gated run is a shell that waits for one line on stdin and then execs py-spy: the costly
 * part of starting a process from Node (forking a large process, synchronously) is paid ahead
 * of a window boundary, and at the boundary the hand-over is one write.
 */
const GATE = ["-c", 'read -r _ || exit 0; exec "$@"', "sh"];

/**
 * A util-linux tool on PATH: `setpriv` gives py-spy a parent-death signal (it dies with the
 * agent even on SIGKILL), `prlimit` bounds its memory.
 */
function findTool(name: "setpriv" | "prlimit"): string | null {
  let path = toolPaths.get(name);
  if (path !== undefined) return path;
  path = null;
  for (const dir of (process.env["PATH"] ?? "/usr/bin:/bin").split(delimiter)) {
    const p = join(dir, name);
    if (dir !== "" && existsSync(p)) {
      path = p;
      break;
    }
  }
  toolPaths.set(name, path);
  return path;
}

export function recordArgs(o: PySpyRunOptions): string[] {
  // speedscope, not raw: see agent/README.md, "Parsing". Threads are its profiles, so no --threads.
  const args = ["record", "--pid", String(o.pid), "--rate", String(o.rate), "--format", "speedscope", "--output", o.outputPath];
  if (o.nonblocking) args.push("--nonblocking");
  if (o.mode === "wall") args.push("--idle");
  if (o.mode === "gil") args.push("--gil");
  if (o.native === true) args.push("--native");
  if (o.durationSeconds !== undefined) args.push("--duration", String(o.durationSeconds));
  return args;
}

export class PySpyRun {
  readonly options: PySpyRunOptions;
  /** Resolves with the unix ms at which py-spy began sampling; rejects when it failed to. */
  readonly started: Promise<number>;
  /** Resolves once the run is over (never rejects). */
  readonly done: Promise<PySpyResult>;
  /** When the run was constructed (unix ms, by the run's clock). */
  readonly spawnedAt: number;

  /**
   * Reads every timestamp the run reports, so they agree with the sampler's window boundaries.
   * The start and stop deadlines stay on Node's timers: they bound a real child process.
   */
  readonly #clock: Pick<Clock, "now">;

  #child: ChildProcess | undefined;
  #output = "";
  #startedAt: number | undefined;
  #stopRequestedAt: number | undefined;
  #killedForDeadline: string | undefined;
  #spawnError: Error | undefined;
  #killTimer: NodeJS.Timeout | undefined;

  #gate: NodeJS.WritableStream | undefined;
  #startTimer: NodeJS.Timeout | undefined;
  /** When the run was let go (gated runs) or spawned. */
  releasedAt: number | undefined;

  /**
   * @param clock the agent's clock (the system clock outside unit tests)
   * @param gated spawn now but exec py-spy only at {@link release} (used to prepare the next
   * window's run ahead of a boundary)
   */
  constructor(options: PySpyRunOptions, clock: Pick<Clock, "now">, gated = false) {
    this.#clock = clock;
    this.spawnedAt = clock.now();
    this.options = options;
    let resolveStarted!: (t: number) => void;
    let rejectStarted!: (e: Error) => void;
    this.started = new Promise<number>((res, rej) => {
      resolveStarted = res;
      rejectStarted = rej;
    });
    // Nobody has to await `started` (stop() may come first).
    this.started.catch(() => undefined);

    const setpriv = findTool("setpriv");
    const prlimit = options.maxMemoryBytes === undefined ? null : findTool("prlimit");
    const gate = gated && existsSync("/bin/sh");
    let argv = [options.pySpy, ...recordArgs(options)];
    if (gate) argv = ["/bin/sh", ...GATE, ...argv];
    // py-spy holds every sample until it stops (8 bytes per frame): a limit makes it fail rather than the host.
    if (prlimit !== null) argv = [prlimit, `--data=${String(options.maxMemoryBytes)}`, "--", ...argv];
    if (setpriv !== null) argv = [setpriv, "--pdeathsig", "KILL", "--", ...argv];
    const [cmd, ...rest] = argv as [string, ...string[]];

    this.done = new Promise<PySpyResult>((resolve) => {
      let child: ChildProcess;
      try {
        // Own process group: a Ctrl-C at the agent's terminal must not stop py-spy behind the agent's back.
        child = spawn(cmd, rest, { stdio: [gate ? "pipe" : "ignore", "pipe", "pipe"], detached: true });
      } catch (err) {
        this.#spawnError = err as Error;
        rejectStarted(err as Error);
        resolve(this.result(undefined));
        return;
      }
      this.#child = child;
      const onData = (d: Buffer): void => {
        this.#output += d.toString("utf8");
        if (this.#output.length > 64 * 1024) this.#output = this.#output.slice(-32 * 1024);
        if (this.#startedAt === undefined && SAMPLING.test(this.#output)) {
          this.#startedAt = this.#clock.now();
          clearTimeout(this.#startTimer);
          resolveStarted(this.#startedAt);
        }
      };
      child.stdout?.on("data", onData);
      child.stderr?.on("data", onData);
      child.once("error", (err) => {
        this.#spawnError = err;
      });
      child.once("close", (code, signal) => {
        clearTimeout(this.#startTimer);
        if (this.#killTimer !== undefined) clearTimeout(this.#killTimer);
        const result = this.result(code ?? signal ?? undefined);
        if (this.#startedAt === undefined) rejectStarted(new Error(result.failure?.detail ?? "py-spy ended before sampling"));
        resolve(result);
      });
      if (gate) {
        this.#gate = child.stdin ?? undefined;
        // A gate whose shell is gone (killed before release) must not throw on write.
        child.stdin?.on("error", () => undefined);
      }
    });
    if (!gate) this.release();
  }

  /** Lets a gated run exec py-spy (no-op for an ungated or released run); starts the start deadline. */
  release(now = this.#clock.now()): void {
    if (this.releasedAt !== undefined) return;
    this.releasedAt = now;
    if (this.#gate !== undefined) {
      this.#gate.write("\n");
      this.#gate.end();
    }
    this.#startTimer = setTimeout(() => {
      if (this.#startedAt === undefined) this.kill(`did not start sampling within ${String(this.options.deadlineMs)}ms`);
    }, this.options.deadlineMs);
    this.#startTimer.unref();
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** True once py-spy said it is sampling (it has attached to the process). */
  get sampling(): boolean {
    return this.#startedAt !== undefined;
  }

  /** SIGINT (py-spy writes its output), then SIGKILL if it is not gone within the deadline. */
  stop(deadlineMs = this.options.deadlineMs, now = this.#clock.now()): Promise<PySpyResult> {
    const child = this.#child;
    if (child !== undefined && child.exitCode === null && child.signalCode === null && this.#stopRequestedAt === undefined) {
      this.#stopRequestedAt = now;
      child.kill("SIGINT");
      this.#killTimer = setTimeout(() => this.kill(`did not write its output within ${String(deadlineMs)}ms of SIGINT`), deadlineMs);
      this.#killTimer.unref();
    }
    return this.done;
  }

  /** SIGKILL now: no output, the window is lost. */
  kill(reason = "killed"): void {
    const child = this.#child;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    this.#killedForDeadline ??= reason;
    child.kill("SIGKILL");
  }

  private result(exit: number | string | undefined): PySpyResult {
    const endedAt = this.#clock.now();
    const out = this.#output;
    const wrote = WROTE.exec(out);
    let output: PySpyOutput | undefined;
    try {
      output = readSpeedscope(this.options.outputPath);
    } catch (err) {
      // The file exists but cannot be read (shape problems are reported inside the output).
      output = emptyOutput(`cannot read py-spy's output: ${errorMessage(err)}`);
    }
    rmSync(this.options.outputPath, { force: true });
    const base = {
      output,
      recorded: wrote === null ? undefined : Number(wrote[1]),
      errors: wrote === null ? 0 : Number(wrote[2]),
      startedAt: this.#startedAt,
      stopRequestedAt: this.#stopRequestedAt,
      endedAt,
    };
    if (this.#spawnError !== undefined) {
      const notFound = (this.#spawnError as NodeJS.ErrnoException).code === "ENOENT" || (this.#spawnError as NodeJS.ErrnoException).code === "EACCES";
      return { ...base, end: "failed", failure: { kind: notFound ? "not-installed" : "other", detail: this.#spawnError.message } };
    }
    if (this.#stopRequestedAt !== undefined && this.#startedAt === undefined && this.#killedForDeadline === undefined) {
      // Stopped before it began sampling: nothing to lose.
      return { ...base, output: undefined, recorded: 0, end: "stopped" };
    }
    if (this.#killedForDeadline !== undefined) {
      return { ...base, output: undefined, end: "failed", failure: { kind: "hung", detail: this.#killedForDeadline } };
    }
    if (wrote === null && base.output !== undefined && base.output.total === 0) {
      // A py-spy that failed while writing (out of memory) leaves a file cut short: nothing in it.
      base.output = undefined;
    }
    if (wrote !== null) {
      if (/because process exited/.test(out)) return { ...base, end: "process-exited" };
      if (this.#stopRequestedAt === undefined && this.options.durationSeconds !== undefined) return { ...base, end: "duration" };
      return { ...base, end: "stopped" };
    }
    // setpriv exits 127 (or 126) when it cannot exec py-spy.
    if (exit === 127 || exit === 126 || /setpriv: .*(No such file|Permission denied)/.test(out)) {
      return { ...base, end: "failed", failure: { kind: "not-installed", detail: firstErrorLine(out) } };
    }
    return { ...base, end: "failed", failure: { kind: classifyFailure(out), detail: firstErrorLine(out) } };
  }
}
