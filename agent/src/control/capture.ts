/**
 * Ad-hoc captures: a control request asks for one process at its own rate and duration. The
 * request is checked against the agent's limits, answered at once (STARTED or why not), and a
 * dedicated `py-spy record --duration` runs next to the continuous sampler. Its samples are
 * published as an ordinary SampleBatch whose profile carries the capture id; once JetStream
 * has acknowledged them the outcome (DONE, or FAILED) goes to the capture's done subject.
 */
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import {
  CaptureReply_Status,
  CaptureReplySchema,
  DEFAULT_MODE,
  modeName,
  ProfileMode,
  type CaptureReply,
  type CaptureRequest,
  type ProcessProfile,
} from "@fleetprof/proto";
import { errorMessage, type Clock, type Logger } from "@fleetprof/common";
import { failureMessage } from "../pyspy/failure.js";
import { emptyOutput, type PySpyOutput } from "../pyspy/output.js";
import { PySpyRun, type PySpyResult, type SamplingMode } from "../pyspy/run.js";
import type { SamplerTarget } from "../sampling/process-sampler.js";
import { buildProfile, expectedTicks, type BuiltProfile } from "../sampling/profile.js";

/** py-spy's own default rate, used when a request says 0. */
export const DEFAULT_CAPTURE_RATE = 100;

export interface CaptureLimits {
  maxDurationMs: number;
  maxRateHz: number;
  maxConcurrent: number;
}

export interface CaptureDeps {
  host: string;
  limits: CaptureLimits;
  /** py-spy's path, undefined while it is not installed. */
  pySpy: () => string | undefined;
  /** The profiled, living process with this pid. */
  findTarget: (pid: number) => SamplerTarget | undefined;
  /** Pids the agent profiles (for the NOT_FOUND message). */
  profiledPids: () => number[];
  outputPath: (pid: number) => string;
  /** py-spy start and stop deadline. */
  deadlineMs: number;
  /** Bytes one py-spy run may allocate. */
  maxMemoryBytes: number;
  ptraceScope: string | undefined;
  /**
   * Publishes the profile as its own batch; resolves once it left the spool: true when
   * JetStream acknowledged all of it, false when the full spool dropped it.
   */
  publish: (profile: ProcessProfile) => Promise<boolean>;
  /** Counts what reading py-spy's output and building the profile cut (the agent's metrics). */
  account: (output: PySpyOutput, built: BuiltProfile, pid: number) => void;
  /** Sends a capture's outcome to its done subject. */
  notify: (captureId: string, reply: CaptureReply) => void;
  log: Logger;
  /** The agent's clock: py-spy runs stamp their times with it, and a BUSY reply's wait is measured on it. */
  clock: Pick<Clock, "now">;
}

/** A capture request checked and turned into py-spy settings. */
export interface CapturePlan {
  captureId: string;
  pid: number;
  rateHz: number;
  durationMs: number;
  mode: SamplingMode;
  native: boolean;
  nonblocking: boolean;
}

interface Running {
  plan: CapturePlan;
  target: SamplerTarget;
  run: PySpyRun;
}

const seconds = (ms: number): string => `${String(Math.round(ms / 100) / 10)}s`;

/**
 * Checks a request against the limits; returns the plan or the refusal. (Whether the pid is
 * profiled and whether the agent is busy are checked by the service.)
 */
export function planCapture(req: CaptureRequest, limits: CaptureLimits): CapturePlan | { status: CaptureReply_Status; message: string } {
  const failed = (message: string): { status: CaptureReply_Status; message: string } => ({ status: CaptureReply_Status.FAILED, message });
  if (req.captureId === "") return failed("capture_id is required (the samples are stored under it)");
  if (req.durationMs === 0) return failed(`duration_ms is required (at most ${seconds(limits.maxDurationMs)}, this agent's capture-max-duration)`);
  if (req.durationMs > limits.maxDurationMs) {
    return failed(
      `duration ${seconds(req.durationMs)} is over this agent's limit of ${seconds(limits.maxDurationMs)} (capture-max-duration): ask for ${seconds(limits.maxDurationMs)} or less`,
    );
  }
  const rateHz = req.rateHz === 0 ? DEFAULT_CAPTURE_RATE : req.rateHz;
  if (rateHz > limits.maxRateHz) {
    return failed(
      `rate ${String(rateHz)} Hz is over this agent's limit of ${String(limits.maxRateHz)} Hz (capture-max-rate): ask for ${String(limits.maxRateHz)} Hz or less`,
    );
  }
  const mode = req.mode === ProfileMode.UNSPECIFIED ? DEFAULT_MODE : modeName(req.mode);
  if (mode === undefined) return failed(`unknown profile mode ${String(req.mode)} (cpu, wall or gil)`);
  if (req.native && req.nonblocking === true) {
    return failed(
      "native and nonblocking cannot be combined: py-spy reads native stacks only while the process is paused (it refuses --native with --nonblocking); " +
        "drop nonblocking (the process is paused briefly at each sample) or drop native",
    );
  }
  return {
    captureId: req.captureId,
    pid: req.pid,
    rateHz,
    durationMs: req.durationMs,
    mode,
    native: req.native,
    // Native captures must pause the process; everything else leaves it running.
    nonblocking: req.nonblocking ?? !req.native,
  };
}

export class CaptureService {
  readonly #d: CaptureDeps;
  /** Captures whose py-spy runs. */
  readonly #running = new Map<string, Running>();
  /** Every capture until its outcome is sent (py-spy running, or its samples being published). */
  readonly #pending = new Set<Promise<void>>();
  #stopping = false;
  readonly #stopped: Promise<void>;
  #stop!: () => void;

  constructor(deps: CaptureDeps) {
    this.#d = deps;
    this.#stopped = new Promise((resolve) => (this.#stop = resolve));
  }

  get running(): number {
    return this.#running.size;
  }

  /** Answers a request at once; a started capture goes on in the background. */
  handle(req: CaptureRequest): CaptureReply {
    const { host, limits } = this.#d;
    const reply = (status: CaptureReply_Status, message: string, plan?: CapturePlan): CaptureReply =>
      create(CaptureReplySchema, {
        status,
        message,
        captureId: req.captureId,
        host,
        pid: req.pid,
        ...(plan === undefined ? {} : { rateHz: plan.rateHz, durationMs: plan.durationMs, native: plan.native, nonblocking: plan.nonblocking }),
      });
    if (this.#stopping) return reply(CaptureReply_Status.BUSY, `the agent on host ${host} is stopping: retry when it is back`);
    const plan = planCapture(req, limits);
    if (!("captureId" in plan)) return reply(plan.status, plan.message);
    const same = this.#running.get(plan.captureId);
    if (same !== undefined) {
      return reply(CaptureReply_Status.STARTED, `capture ${plan.captureId} is already running on pid ${String(same.plan.pid)}`, same.plan);
    }
    const target = this.#d.findTarget(plan.pid);
    if (target === undefined) {
      const pids = this.#d.profiledPids().sort((a, b) => a - b);
      const list = pids.length === 0 ? "none" : `${pids.slice(0, 20).join(", ")}${pids.length > 20 ? `, … (${String(pids.length)})` : ""}`;
      return reply(
        CaptureReply_Status.NOT_FOUND,
        `pid ${String(plan.pid)} is not a running Python process profiled by the agent on host ${host} (it profiles: ${list})`,
      );
    }
    const pySpy = this.#d.pySpy();
    if (pySpy === undefined)
      return reply(CaptureReply_Status.FAILED, `py-spy is not installed on host ${host}: install it (pip install py-spy) or pass --py-spy to the agent`);
    if (this.#running.size >= limits.maxConcurrent) {
      const endsIn = Math.min(...[...this.#running.values()].map((r) => r.run.spawnedAt + r.plan.durationMs - this.#d.clock.now()));
      return reply(
        CaptureReply_Status.BUSY,
        `${String(this.#running.size)} capture(s) already running on host ${host} (capture-max-concurrent ${String(limits.maxConcurrent)}): retry in about ${seconds(Math.max(0, endsIn))}`,
      );
    }
    this.start(plan, target, pySpy);
    const how = `${plan.mode} mode${plan.native ? ", native frames" : ""}, ${plan.nonblocking ? "nonblocking" : "pausing the process at each sample"}`;
    return reply(
      CaptureReply_Status.STARTED,
      `capturing pid ${String(plan.pid)} (service ${target.service}) at ${String(plan.rateHz)} Hz for ${seconds(plan.durationMs)} (${how}); the outcome follows on the capture's done subject`,
      plan,
    );
  }

  /** Stops every running capture (each publishes what it sampled) and waits for them, at most `deadlineMs`. */
  async stop(deadlineMs: number): Promise<void> {
    this.#stopping = true;
    for (const r of this.#running.values()) void r.run.stop(deadlineMs);
    const finished = Promise.all([...this.#pending]);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([finished, new Promise((r) => (timer = setTimeout(r, deadlineMs)))]);
    clearTimeout(timer);
    this.#stop();
  }

  private start(plan: CapturePlan, target: SamplerTarget, pySpy: string): void {
    const run = new PySpyRun(
      {
        pySpy,
        pid: plan.pid,
        rate: plan.rateHz,
        mode: plan.mode,
        nonblocking: plan.nonblocking,
        native: plan.native,
        // py-spy counts whole seconds; a duration that is not one is cut by SIGINT.
        durationSeconds: Math.ceil(plan.durationMs / 1000),
        outputPath: this.#d.outputPath(plan.pid),
        deadlineMs: this.#d.deadlineMs,
        maxMemoryBytes: this.#d.maxMemoryBytes,
      },
      this.#d.clock,
    );
    let stopTimer: NodeJS.Timeout | undefined;
    run.started.then(
      () => {
        // Exactly the requested duration when it is not whole seconds; otherwise a safety net for a py-spy
        // that falls behind (it counts ticks, so a starved one runs longer).
        const whole = plan.durationMs % 1000 === 0;
        stopTimer = setTimeout(() => void run.stop(), whole ? plan.durationMs + Math.max(5000, this.#d.deadlineMs) : plan.durationMs);
      },
      () => undefined,
    );
    const finished = run.done
      .then(async (result) => {
        clearTimeout(stopTimer);
        // py-spy is done: its slot is free while the samples are published.
        this.#running.delete(plan.captureId);
        await this.finish(plan, target, run, result);
      })
      .catch((err: unknown) => {
        this.#d.log.error({ err, captureId: plan.captureId }, `capture ${plan.captureId} failed: ${errorMessage(err)}`);
        this.#d.notify(plan.captureId, this.outcome(plan, CaptureReply_Status.FAILED, `internal error in the agent: ${errorMessage(err)}`));
      });
    this.#pending.add(finished);
    void finished.then(() => this.#pending.delete(finished));
    this.#running.set(plan.captureId, { plan, target, run });
    this.#d.log.info(
      { captureId: plan.captureId, targetPid: plan.pid, rateHz: plan.rateHz, durationMs: plan.durationMs, native: plan.native },
      `capture ${plan.captureId} of pid ${String(plan.pid)} started`,
    );
  }

  private outcome(plan: CapturePlan, status: CaptureReply_Status, message: string, extra: MessageInitShape<typeof CaptureReplySchema> = {}): CaptureReply {
    return create(CaptureReplySchema, {
      status,
      message,
      captureId: plan.captureId,
      host: this.#d.host,
      pid: plan.pid,
      rateHz: plan.rateHz,
      durationMs: plan.durationMs,
      native: plan.native,
      nonblocking: plan.nonblocking,
      ...extra,
    });
  }

  private async finish(plan: CapturePlan, target: SamplerTarget, run: PySpyRun, result: PySpyResult): Promise<void> {
    const { log } = this.#d;
    if (result.end === "failed") {
      const failure = result.failure ?? { kind: "other" as const, detail: "py-spy failed" };
      const message = failureMessage(failure.kind, {
        pid: plan.pid,
        service: target.service,
        user: undefined,
        pySpy: run.options.pySpy,
        ptraceScope: this.#d.ptraceScope,
        detail: failure.detail,
        retryInMs: 0,
      });
      log.warn({ captureId: plan.captureId, targetPid: plan.pid, kind: failure.kind }, `capture ${plan.captureId}: ${message}`);
      this.#d.notify(plan.captureId, this.outcome(plan, CaptureReply_Status.FAILED, message, { samplerErrors: result.errors }));
      return;
    }
    const output = result.output ?? emptyOutput();
    const startMs = result.startedAt ?? run.spawnedAt;
    const endMs = Math.max(startMs, result.endedAt);
    const ticks = expectedTicks(plan.rateHz, startMs, endMs);
    const built = buildProfile(output, {
      pid: target.pid,
      processStartUnixMs: target.startUnixMs,
      service: target.service,
      version: target.version,
      labels: target.labels,
      labelsTruncated: target.labelsTruncated,
      mode: plan.mode,
      rateHz: plan.rateHz,
      windowStartUnixMs: startMs,
      windowEndUnixMs: endMs,
      ticks,
      samplerErrors: result.errors,
    });
    this.#d.account(output, built, plan.pid);
    const { profile, samples } = built;
    profile.captureId = plan.captureId;
    // Published even when empty: a stored capture with no samples still answers "what did it do" (nothing on a CPU).
    const acked = await Promise.race([this.#d.publish(profile), this.#stopped.then(() => true)]);
    if (!acked) {
      const message = `the ${String(samples)} samples of capture ${plan.captureId} were dropped from the agent's full spool before NATS took them (NATS unreachable for long; raise --spool-max-bytes)`;
      log.warn({ captureId: plan.captureId }, message);
      this.#d.notify(plan.captureId, this.outcome(plan, CaptureReply_Status.FAILED, message));
      return;
    }
    const notes: string[] = [];
    if (result.end === "process-exited") notes.push(`the process exited after ${seconds(endMs - startMs)}: partial capture`);
    if (result.end === "stopped" && this.#stopping) notes.push("the agent is stopping: partial capture");
    if (samples === 0) notes.push(plan.mode === "cpu" ? "no samples: the process was never on a CPU (capture in wall mode to see idle threads)" : "no samples");
    if (result.errors > 0) notes.push(`py-spy reported ${String(result.errors)} sampling error(s)`);
    const message = `captured ${String(samples)} samples of pid ${String(plan.pid)} (service ${target.service}) over ${seconds(endMs - startMs)}, stored under capture id ${plan.captureId}${notes.length > 0 ? `; ${notes.join("; ")}` : ""}`;
    log.info({ captureId: plan.captureId, targetPid: plan.pid, samples }, message);
    this.#d.notify(
      plan.captureId,
      this.outcome(plan, CaptureReply_Status.DONE, message, {
        samples: BigInt(samples),
        startUnixMs: BigInt(startMs),
        endUnixMs: BigInt(endMs),
        samplerErrors: result.errors,
      }),
    );
  }
}
