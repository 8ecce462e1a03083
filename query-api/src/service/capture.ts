/**
 * The Capture RPC: one process (from recent samples and the agents' answers on the fleet-wide
 * status subject, or host and pid), a capture request to its
 * agent over NATS, progress while py-spy samples, then — once the agent says the samples are in
 * JetStream and the collector has stored them — the flame graph of that capture id.
 */
import { randomUUID } from "node:crypto";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { ErrorCode, FleetprofError, sleep } from "@fleetprof/common";
import {
  captureDoneSubject,
  CaptureReply_Status,
  CaptureReplySchema,
  CaptureRequestSchema,
  controlSubject,
  fleetStatusSubject,
  profileMode,
  type CaptureReply,
  type QueryServiceCaptureRequest,
} from "@fleetprof/proto";
import { readProcesses, readStackProfile, type ReadTarget, type StackProfile } from "@fleetprof/store";
import type { CallContext } from "../grpc/adapter.js";
import type { NatsConnection } from "@nats-io/transport-node";
import { describeRequestFailure } from "../control/ask-agents.js";
import { FLEET_STATUS_WAIT_MS, fleetProcesses } from "../control/fleet-processes.js";
import type { NatsLink } from "../control/nats-link.js";
import { toFlameGraph } from "../profile/flame-graph.js";
import { buildTree } from "../profile/tree.js";
import { selectorToFilter } from "../selector/index.js";
import { admitted, type Admissions } from "./admission.js";
import { DEFAULT_RECENT_MS } from "./dump.js";
import { formatMs, resolveMaxNodes, type Limits } from "./request.js";
import type { QueryServiceStreaming } from "./types.js";

/** How long after the agent's DONE the samples may take to be stored (collector lag). */
export const CAPTURE_STORE_WAIT_MS = 30_000;
/** How long after the capture's duration the agent may take to report its end. */
const DONE_GRACE_MS = 30_000;
const REQUEST_TIMEOUT_MS = 10_000;
const PROGRESS_EVERY_MS = 1000;

export interface CaptureOptions {
  store: ReadTarget;
  link: NatsLink;
  limits: Limits;
  /** A capture holds a control slot throughout, and a query slot only while it reads the store. */
  admissions: Admissions;
  maxDurationMs: number;
  maxRateHz: number;
}

function invalid(message: string): FleetprofError {
  return new FleetprofError(ErrorCode.InvalidArgument, message);
}

interface Target {
  host: string;
  pid: number;
  service: string;
}

async function findTarget(req: QueryServiceCaptureRequest, o: CaptureOptions, ctx: CallContext, nc: NatsConnection): Promise<Target> {
  if (req.host !== "") {
    if (req.pid === 0) throw invalid("a capture is of one process: pass its pid with the host (fleetprof capture --host H --pid P)");
    return { host: req.host, pid: req.pid, service: "" };
  }
  if (req.pid !== 0) throw invalid("pid needs a host: pass the host the process runs on (fleetprof capture --host H --pid P)");
  const recentMs = Number(req.recentMs);
  if (recentMs < 0) throw invalid(`recent_ms cannot be negative, got ${String(recentMs)}`);
  const now = Date.now();
  const span = recentMs === 0 ? DEFAULT_RECENT_MS : recentMs;
  const filter = selectorToFilter(req.selector);
  const read = { signal: ctx.signal, timeoutMs: ctx.remainingMs(), maxMemoryBytes: o.limits.maxQueryMemoryBytes };
  // Recent samples, and what the agents say they profile (a process blocked all along sends no samples in cpu mode).
  const [{ processes: sampled }, reported] = await Promise.all([
    readProcesses(o.store, { filter, window: { startMs: now - span, endMs: now + 1000 }, limit: 20, ...read }),
    fleetProcesses(nc, o.store, filter, Math.min(FLEET_STATUS_WAIT_MS, Math.max(1, ctx.remainingMs() / 4)), read),
  ]);
  const byKey = new Map<string, Target>();
  for (const p of [...sampled, ...reported]) {
    const key = `${p.host}\0${String(p.pid)}`;
    if (!byKey.has(key)) byKey.set(key, { host: p.host, pid: p.pid, service: p.service });
  }
  const processes = [...byKey.values()].sort((a, b) => (a.host === b.host ? a.pid - b.pid : a.host < b.host ? -1 : 1));
  const what = req.selector === "" ? "any selector" : req.selector;
  const [first] = processes;
  if (first === undefined) {
    throw new FleetprofError(
      ErrorCode.NotFound,
      `no process sent samples matching ${what} in the last ${formatMs(span)}, and no agent that answered on ${fleetStatusSubject()} profiles one: is it running and profiled by an agent?`,
    );
  }
  if (processes.length > 1) {
    const list = processes
      .slice(0, 5)
      .map((p) => `${p.host} pid ${String(p.pid)} (${p.service})`)
      .join(", ");
    throw invalid(
      `${processes.length >= 20 ? "20 or more" : String(processes.length)} processes match ${what} (${list}${processes.length > 5 ? ", …" : ""}): a capture is of one process, narrow the selector or pass --host and --pid`,
    );
  }
  return first;
}

/** The agent's immediate answer as an error, unless it started. */
function refusal(reply: CaptureReply, t: Target): FleetprofError | undefined {
  switch (reply.status) {
    case CaptureReply_Status.STARTED:
      return undefined;
    case CaptureReply_Status.NOT_FOUND:
      return new FleetprofError(ErrorCode.NotFound, reply.message);
    case CaptureReply_Status.BUSY:
      return new FleetprofError(ErrorCode.ResourceExhausted, reply.message);
    case CaptureReply_Status.FAILED:
      return invalid(`the agent on ${t.host} refused the capture: ${reply.message}`);
    default:
      return new FleetprofError(
        ErrorCode.Internal,
        `the agent on ${t.host} answered the capture request with status ${String(reply.status)}: ${reply.message}`,
      );
  }
}

/** A request this server refuses before asking anyone: no duration, or over its limits. */
function checkRequest(req: QueryServiceCaptureRequest, o: CaptureOptions): void {
  if (req.durationMs === 0) throw invalid(`duration_ms is required (at most ${formatMs(o.maxDurationMs)})`);
  if (req.durationMs > o.maxDurationMs)
    throw invalid(
      `duration ${formatMs(req.durationMs)} is over this server's limit of ${formatMs(o.maxDurationMs)} (option capture-max-duration): ask for a shorter capture`,
    );
  if (req.rateHz > o.maxRateHz)
    throw invalid(`rate ${String(req.rateHz)} Hz is over this server's limit of ${String(o.maxRateHz)} Hz (option capture-max-rate)`);
}

/** Asks the target's agent to capture; its answer if it started, else the refusal as an error. */
async function askAgent(nc: NatsConnection, target: Target, captureId: string, req: QueryServiceCaptureRequest, ctx: CallContext): Promise<CaptureReply> {
  const request = create(CaptureRequestSchema, {
    captureId,
    pid: target.pid,
    durationMs: req.durationMs,
    rateHz: req.rateHz,
    native: req.native,
    mode: profileMode(req.idle ? "wall" : "cpu"),
  });
  let started: CaptureReply;
  try {
    const m = await nc.request(controlSubject(target.host, "capture"), toBinary(CaptureRequestSchema, request), {
      timeout: Math.min(REQUEST_TIMEOUT_MS, ctx.remainingMs()),
    });
    started = fromBinary(CaptureReplySchema, m.data);
  } catch (err) {
    const why = describeRequestFailure(err, target.host, "capture", REQUEST_TIMEOUT_MS);
    throw new FleetprofError(why.kind === "no-agent" ? ErrorCode.NotFound : ErrorCode.Unavailable, why.reason, { cause: err });
  }
  const refused = refusal(started, target);
  if (refused !== undefined) throw refused;
  return started;
}

/** What every progress message of one capture repeats. */
type ProgressBase = Pick<Target, "host" | "pid" | "service"> & Pick<CaptureReply, "durationMs" | "rateHz" | "native">;

/** Sends "sampling" progress every second until the agent's outcome (DONE) arrives; an error if it fails or never comes. */
async function awaitDone(
  outcome: Promise<CaptureReply | undefined>,
  p: { captureId: string; base: ProgressBase; startedAt: number; ctx: CallContext; send: Send },
): Promise<CaptureReply> {
  const limitMs = p.base.durationMs + DONE_GRACE_MS;
  let done: CaptureReply | undefined;
  let settled = false;
  void outcome.then((r) => {
    done = r;
    settled = true;
  });
  while (!settled && Date.now() - p.startedAt < limitMs) {
    if (!(await sleep(Math.min(PROGRESS_EVERY_MS, 50 + limitMs - (Date.now() - p.startedAt)), p.ctx.signal))) throw p.ctx.signal.reason as Error;
    if (!settled)
      p.send({ captureId: p.captureId, event: { case: "progress", value: { ...p.base, stage: "sampling", elapsedMs: BigInt(Date.now() - p.startedAt) } } });
  }
  const reply = done;
  if (reply === undefined) {
    throw new FleetprofError(
      ErrorCode.DeadlineExceeded,
      `the agent on ${p.base.host} did not report the end of capture ${p.captureId} within ${formatMs(limitMs)}; its samples may still arrive: query {capture_id="${p.captureId}"}`,
    );
  }
  if (reply.status !== CaptureReply_Status.DONE)
    throw new FleetprofError(ErrorCode.Unavailable, `capture ${p.captureId} on ${p.base.host} failed: ${reply.message}`);
  return reply;
}

/**
 * The capture's samples once stored: the agent's DONE means JetStream has them, and the
 * collector stores them soon after, so read until all are there (or CAPTURE_STORE_WAIT_MS).
 */
async function readCaptured(o: CaptureOptions, ctx: CallContext, captureId: string, done: CaptureReply, startedAt: number): Promise<StackProfile> {
  const filter = selectorToFilter(`{capture_id="${captureId}"}`);
  const from = Number(done.startUnixMs) > 0 ? Number(done.startUnixMs) : startedAt;
  const window = { startMs: from - 120_000, endMs: Date.now() + 60_000 };
  const want = Number(done.samples);
  const storeDeadline = Date.now() + CAPTURE_STORE_WAIT_MS;
  for (;;) {
    const read = {
      filter,
      window,
      maxStacks: o.limits.maxStacks,
      signal: ctx.signal,
      timeoutMs: ctx.remainingMs(),
      maxMemoryBytes: o.limits.maxQueryMemoryBytes,
      source: "raw" as const,
    };
    const profile = await o.admissions.queries
      .run(ctx, () => readStackProfile(o.store, read))
      .catch((err: unknown) => {
        const e = FleetprofError.from(err);
        if (e.code !== ErrorCode.ResourceExhausted) throw e;
        throw new FleetprofError(e.code, `${e.message} (capture ${captureId} is stored: query {capture_id="${captureId}"} later)`, { cause: err });
      });
    if (profile.total >= want || Date.now() > storeDeadline) return profile;
    await sleep(250, ctx.signal);
  }
}

type Send = Parameters<QueryServiceStreaming["capture"]>[2];

export function createCaptureService(o: CaptureOptions): QueryServiceStreaming {
  const service: QueryServiceStreaming = {
    capture: async (req, ctx, send) => {
      checkRequest(req, o);
      const maxNodes = resolveMaxNodes(req.maxNodes, o.limits);
      const nc = await o.link.connection(ctx.signal);
      const target = await findTarget(req, o, ctx, nc);
      const captureId = randomUUID();
      // Subscribe to the outcome before asking: it may come before we would otherwise listen.
      const sub = nc.subscribe(captureDoneSubject(target.host, captureId), { max: 1 });
      try {
        const outcome = (async (): Promise<CaptureReply | undefined> => {
          for await (const m of sub) return fromBinary(CaptureReplySchema, m.data);
          return undefined;
        })();
        const started = await askAgent(nc, target, captureId, req, ctx);
        const startedAt = Date.now();
        const base: ProgressBase = {
          host: target.host,
          pid: target.pid,
          service: target.service,
          durationMs: started.durationMs,
          rateHz: started.rateHz,
          native: started.native,
        };
        const elapsed = (): bigint => BigInt(Date.now() - startedAt);
        send({ captureId, event: { case: "progress", value: { ...base, stage: "started", message: started.message } } });
        const done = await awaitDone(outcome, { captureId, base, startedAt, ctx, send });
        send({
          captureId,
          event: { case: "progress", value: { ...base, stage: "sampled", elapsedMs: elapsed(), samples: done.samples, message: done.message } },
        });
        const profile = await readCaptured(o, ctx, captureId, done, startedAt);
        send({ captureId, event: { case: "progress", value: { ...base, stage: "stored", elapsedMs: elapsed(), samples: BigInt(profile.total) } } });
        const graph = toFlameGraph(buildTree(profile), { maxNodes, diff: false, firstMs: profile.firstMs, lastMs: profile.lastMs, source: profile.source });
        send({ captureId, event: { case: "flameGraph", value: graph } });
      } finally {
        sub.unsubscribe();
      }
    },
  };
  return admitted(service, o.admissions.control);
}
