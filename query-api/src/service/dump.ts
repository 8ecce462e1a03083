/**
 * The Dump RPC: which processes (recent samples matching the selector together with the
 * processes the agents report on the fleet-wide status subject, or a host's agent directly),
 * one dump request per host over NATS, the replies grouped by identical stack. The fan-out is
 * capped (hosts per call, processes per host); what the caps leave out is listed in the answer.
 */
import { create, fromBinary, toBinary, type MessageInitShape } from "@bufbuild/protobuf";
import { ErrorCode, FleetprofError } from "@fleetprof/common";
import {
  DumpReplySchema,
  DumpRequestSchema,
  fleetStatusSubject,
  type DumpReply,
  type QueryServiceDumpRequest,
  type QueryServiceDumpResponseSchema,
} from "@fleetprof/proto";
import { readProcesses, type ReadTarget } from "@fleetprof/store";
import type { CallContext } from "../grpc/adapter.js";
import type { NatsConnection } from "@nats-io/transport-node";
import { askAgents, type Unanswered } from "../control/ask-agents.js";
import { FLEET_STATUS_WAIT_MS, fleetProcesses } from "../control/fleet-processes.js";
import { groupDumps, type HostDump } from "../control/dump-groups.js";
import type { NatsLink } from "../control/nats-link.js";
import { selectorToFilter } from "../selector/index.js";
import { formatMs } from "./request.js";

/** How far back a selector looks for processes unless the request says. */
export const DEFAULT_RECENT_MS = 5 * 60_000;
/** Most processes one dump may ask about. */
export const MAX_DUMP_PROCESSES = 1000;

/** The fan-out caps of one dump. */
export interface DumpCaps {
  /** Most hosts asked (option dump-max-hosts). */
  maxHosts: number;
  /** Most processes asked per host (option dump-max-processes-per-host). */
  maxProcessesPerHost: number;
}

export interface DumpOptions {
  store: ReadTarget;
  link: NatsLink;
  /** How long to wait for each host's agent unless the request says, ms. */
  timeoutMs: number;
  caps: DumpCaps;
  /** Memory the store queries may use, bytes. */
  maxMemoryBytes?: number;
  /** How long to collect the agents' replies on the fleet-wide status subject, ms (FLEET_STATUS_WAIT_MS). */
  fleetStatusWaitMs?: number;
}

/** Processes a cap left out: nothing was asked of them. */
export interface Skipped {
  host: string;
  pids: number[];
  reason: string;
}

type DumpResponseInit = MessageInitShape<typeof QueryServiceDumpResponseSchema>;

function invalid(message: string): FleetprofError {
  return new FleetprofError(ErrorCode.InvalidArgument, message);
}

/** host → the pids to dump there (empty: every process its agent profiles). */
async function targets(req: QueryServiceDumpRequest, options: DumpOptions, ctx: CallContext, nc: NatsConnection): Promise<Map<string, number[]>> {
  if (req.host !== "") return new Map([[req.host, [...new Set(req.pids)].sort((a, b) => a - b)]]);
  if (req.pids.length > 0) throw invalid("pids need a host: pass the host the processes run on (fleetprof dump --host H --pid P)");
  const recentMs = Number(req.recentMs);
  if (recentMs < 0) throw invalid(`recent_ms cannot be negative, got ${String(recentMs)}`);
  const filter = selectorToFilter(req.selector);
  const now = Date.now();
  const window = { startMs: now - (recentMs === 0 ? DEFAULT_RECENT_MS : recentMs), endMs: now + 1000 };
  // Recent samples, and what the agents say they profile (a process blocked all along sends no samples in cpu mode).
  const read = { signal: ctx.signal, timeoutMs: ctx.remainingMs(), maxMemoryBytes: options.maxMemoryBytes };
  const [{ processes, truncated }, reported] = await Promise.all([
    readProcesses(options.store, { filter, window, limit: MAX_DUMP_PROCESSES, ...read }),
    fleetProcesses(nc, options.store, filter, Math.min(options.fleetStatusWaitMs ?? FLEET_STATUS_WAIT_MS, Math.max(1, ctx.remainingMs() / 4)), read),
  ]);
  const recent = formatMs(window.endMs - 1000 - window.startMs);
  const byHost = new Map<string, Set<number>>();
  let count = 0;
  for (const p of [...processes, ...reported]) {
    const pids = byHost.get(p.host) ?? new Set<number>();
    if (!pids.has(p.pid)) count++;
    pids.add(p.pid);
    byHost.set(p.host, pids);
  }
  if (truncated || count > MAX_DUMP_PROCESSES) {
    throw new FleetprofError(
      ErrorCode.ResourceExhausted,
      `more than ${String(MAX_DUMP_PROCESSES)} processes match ${req.selector} (recent samples and what the agents report): narrow the selector (a version, a host)`,
    );
  }
  if (count === 0) {
    throw new FleetprofError(
      ErrorCode.NotFound,
      `no process sent samples matching ${req.selector === "" ? "any selector" : req.selector} in the last ${recent}, and no agent that answered on ${fleetStatusSubject()} profiles one: is it running and profiled by an agent? ` +
        "Look further back (recent_ms, fleetprof dump --recent 1h) or ask its host's agent directly (host, --host)",
    );
  }
  return new Map([...byHost].map(([host, pids]) => [host, [...pids].sort((a, b) => a - b)]));
}

/**
 * The first `maxHosts` hosts (by name) and on each the first `maxProcessesPerHost` pids; the
 * rest, with the cap that left them out. An empty pid list (every process the agent profiles)
 * is the agent's to bound.
 */
export function capTargets(all: ReadonlyMap<string, number[]>, caps: DumpCaps): { wanted: Map<string, number[]>; skipped: Skipped[] } {
  const wanted = new Map<string, number[]>();
  const skipped: Skipped[] = [];
  const hosts = [...all.keys()].sort();
  for (const [i, host] of hosts.entries()) {
    const pids = all.get(host) ?? [];
    if (i >= caps.maxHosts) {
      skipped.push({
        host,
        pids,
        reason: `more than ${String(caps.maxHosts)} hosts match (option dump-max-hosts): dump this host with --host ${host}, or narrow the selector`,
      });
      continue;
    }
    wanted.set(host, pids.slice(0, caps.maxProcessesPerHost));
    if (pids.length > caps.maxProcessesPerHost) {
      skipped.push({
        host,
        pids: pids.slice(caps.maxProcessesPerHost),
        reason: `more than ${String(caps.maxProcessesPerHost)} processes on ${host} (option dump-max-processes-per-host): dump them with --host ${host} and their pids, a few at a time`,
      });
    }
  }
  return { wanted, skipped };
}

export async function dump(req: QueryServiceDumpRequest, options: DumpOptions, ctx: CallContext): Promise<DumpResponseInit> {
  const nc = await options.link.connection(ctx.signal);
  const { wanted, skipped } = capTargets(await targets(req, options, ctx, nc), options.caps);
  // Leave time to answer within the call's own deadline.
  const timeoutMs = Math.max(1, Math.min(req.timeoutMs === 0 ? options.timeoutMs : req.timeoutMs, ctx.remainingMs() - 200));
  const answers = await askAgents(
    nc,
    [...wanted.keys()],
    "dump",
    (host) => toBinary(DumpRequestSchema, create(DumpRequestSchema, { pids: wanted.get(host) ?? [], native: req.native })),
    (data) => fromBinary(DumpReplySchema, data),
    timeoutMs,
  );

  const dumps: HostDump[] = [];
  const unanswered: (Unanswered & { host: string; pids: number[] })[] = [];
  for (const a of answers) {
    const pids = wanted.get(a.host) ?? [];
    if (a.failure !== undefined) unanswered.push({ host: a.host, pids, ...a.failure });
    else if (a.reply.error !== "") unanswered.push({ host: a.host, pids, kind: "error", reason: `the agent on ${a.host} refused the dump: ${a.reply.error}` });
    else dumps.push({ host: a.host, reply: withMissing(a.reply, pids) });
  }

  if (dumps.length === 0) {
    const why = unanswered.map((u) => `${u.host}: ${u.reason}`).join("; ");
    if (unanswered.every((u) => u.kind === "no-agent")) throw new FleetprofError(ErrorCode.NotFound, `no agent answered: ${why}`);
    throw new FleetprofError(ErrorCode.Unavailable, `no agent answered: ${why}`);
  }
  const grouped = groupDumps(dumps);
  if (req.host !== "" && req.pids.length > 0 && grouped.processes.every((p) => p.errorKind === "gone" || p.errorKind === "not-profiled")) {
    throw new FleetprofError(ErrorCode.NotFound, grouped.processes.map((p) => p.error ?? "").join("; "));
  }
  return { ...grouped, unanswered: unanswered.map((u) => ({ host: u.host, reason: u.reason, kind: u.kind, pids: u.pids })), skipped };
}

/** Processes asked for that the agent's reply leaves out are reported, not dropped. */
function withMissing(reply: DumpReply, pids: readonly number[]): DumpReply {
  const seen = new Set(reply.processes.map((p) => p.pid));
  const missing = pids.filter((pid) => !seen.has(pid));
  if (missing.length === 0) return reply;
  return create(DumpReplySchema, {
    host: reply.host,
    processes: [
      ...reply.processes,
      ...missing.map((pid) => ({ pid, error: `the agent on ${reply.host} did not report process ${String(pid)}`, errorKind: "other" })),
    ],
  });
}
