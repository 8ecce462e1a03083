/**
 * The Dump RPC: which processes (recent samples matching the selector, or a host's agent
 * directly), one dump request per host over NATS, the replies grouped by identical stack.
 */
import { create, fromBinary, toBinary, type MessageInitShape } from "@bufbuild/protobuf";
import { ErrorCode, FleetprofError } from "@fleetprof/common";
import { DumpReplySchema, DumpRequestSchema, type DumpReply, type QueryServiceDumpRequest, type QueryServiceDumpResponseSchema } from "@fleetprof/proto";
import { readProcesses, type ReadTarget } from "@fleetprof/store";
import type { CallContext } from "../grpc/adapter.js";
import { askAgents, type Unanswered } from "../control/ask-agents.js";
import { groupDumps, type HostDump } from "../control/dump-groups.js";
import type { NatsLink } from "../control/nats-link.js";
import { selectorToFilter } from "../selector/index.js";
import { formatMs } from "./request.js";

/** How far back a selector looks for processes unless the request says. */
export const DEFAULT_RECENT_MS = 5 * 60_000;
/** Most processes one dump may ask about. */
export const MAX_DUMP_PROCESSES = 1000;

export interface DumpOptions {
  store: ReadTarget;
  link: NatsLink;
  /** How long to wait for each host's agent unless the request says, ms. */
  timeoutMs: number;
}

type DumpResponseInit = MessageInitShape<typeof QueryServiceDumpResponseSchema>;

function invalid(message: string): FleetprofError {
  return new FleetprofError(ErrorCode.InvalidArgument, message);
}

/** host → the pids to dump there (empty: every process its agent profiles). */
async function targets(req: QueryServiceDumpRequest, options: DumpOptions, ctx: CallContext): Promise<Map<string, number[]>> {
  if (req.host !== "") return new Map([[req.host, [...new Set(req.pids)].sort((a, b) => a - b)]]);
  if (req.pids.length > 0) throw invalid("pids need a host: pass the host the processes run on (fleetprof dump --host H --pid P)");
  const recentMs = Number(req.recentMs);
  if (recentMs < 0) throw invalid(`recent_ms cannot be negative, got ${String(recentMs)}`);
  const filter = selectorToFilter(req.selector);
  const now = Date.now();
  const window = { startMs: now - (recentMs === 0 ? DEFAULT_RECENT_MS : recentMs), endMs: now + 1000 };
  const { processes, truncated } = await readProcesses(options.store, { filter, window, limit: MAX_DUMP_PROCESSES, signal: ctx.signal, timeoutMs: ctx.remainingMs() });
  const recent = formatMs(window.endMs - 1000 - window.startMs);
  if (truncated) {
    throw new FleetprofError(ErrorCode.ResourceExhausted, `more than ${String(MAX_DUMP_PROCESSES)} processes match ${req.selector} in the last ${recent}: narrow the selector (a version, a host)`);
  }
  if (processes.length === 0) {
    throw new FleetprofError(
      ErrorCode.NotFound,
      `no process sent samples matching ${req.selector === "" ? "any selector" : req.selector} in the last ${recent}: is it running and profiled by an agent? ` +
        "A process blocked all that time sends no samples in cpu mode: look further back (recent_ms, fleetprof dump --recent 1h) or ask its host's agent directly (host, --host)",
    );
  }
  const byHost = new Map<string, number[]>();
  for (const p of processes) {
    const list = byHost.get(p.host) ?? [];
    list.push(p.pid);
    byHost.set(p.host, list);
  }
  return byHost;
}

export async function dump(req: QueryServiceDumpRequest, options: DumpOptions, ctx: CallContext): Promise<DumpResponseInit> {
  const nc = await options.link.connection(ctx.signal);
  const wanted = await targets(req, options, ctx);
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
  return { ...grouped, unanswered: unanswered.map((u) => ({ host: u.host, reason: u.reason, kind: u.kind, pids: u.pids })) };
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
