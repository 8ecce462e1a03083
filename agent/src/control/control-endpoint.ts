/**
 * The agent's side of the control endpoint: a {@link CaptureService} for ad-hoc captures (each
 * published as its own batch, so its acknowledgement can be awaited), dumps of the profiled
 * processes, and status; every request counted by verb and every capture by outcome.
 */
import type { Clock, Logger } from "@fleetprof/common";
import { CaptureReply_Status, type AgentStatusReply, type CaptureReply, type DumpReply, type DumpRequest } from "@fleetprof/proto";
import type { AgentMetrics } from "../metrics/agent-metrics.js";
import type { AgentConfig } from "../options.js";
import { sampleBatch } from "../publish/batcher.js";
import type { Publisher } from "../publish/publisher.js";
import type { RunFiles } from "../pyspy/run-files.js";
import type { OutputAccounting } from "../sampling/output-accounting.js";
import type { ProcessSampler, SamplerTarget } from "../sampling/process-sampler.js";
import { AGENT_VERSION } from "../version.js";
import { CaptureService, type CaptureLimits } from "./capture.js";
import { ControlServer, type ControlHandlers } from "./control-server.js";
import { answerDump } from "./dump-request.js";

/** What the control endpoint reads of a sampler. */
export type TargetSampler = Pick<ProcessSampler, "target" | "state">;

/** The agent's options the control endpoint uses. */
export type ControlConfig = Pick<
  AgentConfig,
  "captureMaxDuration" | "captureMaxRate" | "captureMaxConcurrent" | "pySpyDeadline" | "pySpyMaxMemory" | "dumpDeadline" | "procDir"
> & { host: string };

export interface ControlEndpointOptions {
  config: ControlConfig;
  pySpy: () => string | undefined;
  samplers: ReadonlyMap<string, TargetSampler>;
  alive: (target: SamplerTarget) => boolean;
  files: Pick<RunFiles, "capture">;
  /** kernel.yama.ptrace_scope, for the message when a capture may not trace. */
  ptraceScope: string | undefined;
  publisher: Pick<Publisher, "enqueue" | "whenPublished">;
  output: Pick<OutputAccounting, "account">;
  status: () => AgentStatusReply;
  metrics: AgentMetrics;
  log: Logger;
  /** The agent's clock, for the captures' py-spy runs. */
  clock: Pick<Clock, "now">;
}

export interface ControlEndpoint {
  captures: CaptureService;
  server: ControlServer;
}

/** The capture limits from the agent's options. */
export function captureLimits(config: ControlConfig): CaptureLimits {
  return { maxDurationMs: config.captureMaxDuration, maxRateHz: config.captureMaxRate, maxConcurrent: config.captureMaxConcurrent };
}

/** The target of a profiled process that still lives, by pid. */
export function findTarget(samplers: ReadonlyMap<string, TargetSampler>, pid: number, alive: (t: SamplerTarget) => boolean): SamplerTarget | undefined {
  for (const s of samplers.values()) if (s.target.pid === pid && s.state !== "finished" && alive(s.target)) return s.target;
  return undefined;
}

/** Every process being profiled (running or in backoff). */
export function profiledTargets(samplers: ReadonlyMap<string, TargetSampler>): SamplerTarget[] {
  return [...samplers.values()].filter((s) => s.state !== "finished").map((s) => s.target);
}

/** Capture replies that end a request at once, by the outcome they are counted as. */
const REFUSED: Partial<Record<CaptureReply_Status, string>> = {
  [CaptureReply_Status.NOT_FOUND]: "not_found",
  [CaptureReply_Status.BUSY]: "busy",
  [CaptureReply_Status.FAILED]: "refused",
};

/** The handlers of the three verbs, each counted in `fleetprof_agent_control_requests_total`. */
export function controlHandlers(h: {
  metrics: AgentMetrics;
  captures: Pick<CaptureService, "handle">;
  dump: (req: DumpRequest) => Promise<DumpReply>;
  status: () => AgentStatusReply;
}): ControlHandlers {
  return {
    capture: (req) => {
      h.metrics.controlRequests.inc({ verb: "capture" });
      const reply = h.captures.handle(req);
      const outcome = REFUSED[reply.status];
      if (outcome !== undefined) h.metrics.captures.inc({ outcome });
      return reply;
    },
    dump: (req) => {
      h.metrics.controlRequests.inc({ verb: "dump" });
      return h.dump(req);
    },
    status: () => {
      h.metrics.controlRequests.inc({ verb: "status" });
      return h.status();
    },
  };
}

/** The capture service and control server; the server listens once it is attached to a connection. */
export function openControlEndpoint(o: ControlEndpointOptions): ControlEndpoint {
  const { config, metrics } = o;
  const captures = new CaptureService({
    host: config.host,
    limits: captureLimits(config),
    pySpy: o.pySpy,
    findTarget: (pid) => findTarget(o.samplers, pid, o.alive),
    profiledPids: () => profiledTargets(o.samplers).map((t) => t.pid),
    outputPath: (pid) => o.files.capture(pid),
    deadlineMs: config.pySpyDeadline,
    maxMemoryBytes: config.pySpyMaxMemory,
    ptraceScope: o.ptraceScope,
    // Its own batch (not merged with continuous windows), so its acknowledgement can be awaited.
    publish: (profile) => o.publisher.whenPublished(o.publisher.enqueue(sampleBatch(config.host, AGENT_VERSION, [profile]))),
    account: (output, built, pid) => o.output.account(output, built, pid),
    // Called only when a capture ends, long after `server` exists.
    notify: (captureId: string, reply: CaptureReply) => {
      metrics.captures.inc({ outcome: reply.status === CaptureReply_Status.DONE ? "done" : "failed" });
      server.notify(captureId, reply);
    },
    log: o.log,
    clock: o.clock,
  });
  const dump = (req: DumpRequest): Promise<DumpReply> =>
    answerDump(req, {
      host: config.host,
      pySpy: o.pySpy,
      targets: () => profiledTargets(o.samplers),
      deadlineMs: config.dumpDeadline,
      procDir: config.procDir,
    });
  const server = new ControlServer(config.host, controlHandlers({ metrics, captures, dump, status: o.status }), o.log);
  return { captures, server };
}
