/**
 * Processes the agents say they profile, matching a selector: one AgentStatusRequest on the
 * fleet-wide subject `fleetprof.ctl.all.status`, every reply collected until a short deadline.
 * This finds processes that sent no samples — in cpu mode a process blocked the whole time
 * sends none, which is exactly the "all workers are stuck" case. Hosts that do not answer in
 * time are simply not in the result (the recent-samples lookup still covers them).
 *
 * The selector is evaluated by ClickHouse over the reported label sets (`matchLabelSets` of the
 * store): the same SQL as for samples, and RE2 regexes, linear in the length of whatever host
 * name or label an agent reports. Replies and processes considered are bounded: an agent may be
 * hostile too.
 */
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { errorMessage, type Logger } from "@fleetprof/common";
import { AgentStatusReplySchema, AgentStatusRequestSchema, fleetStatusSubject, modeName, type AgentStatusReply } from "@fleetprof/proto";
import { matchLabelSets, type LabelSet, type ReadOptions, type ReadTarget, type SampleFilter } from "@fleetprof/store";
import type { NatsConnection } from "@nats-io/transport-node";

/** How long the query API collects status replies from the agents, ms. */
export const FLEET_STATUS_WAIT_MS = 1500;
/** Most status replies read per request. */
export const MAX_STATUS_REPLIES = 10_000;
/** Most reported processes matched per request (the rest are ignored, and logged). */
export const MAX_REPORTED_PROCESSES = 50_000;

export interface FleetProcess {
  host: string;
  pid: number;
  service: string;
  version: string;
}

/**
 * The labels a selector sees for one process an agent reports: the columns service, version,
 * host, pid and mode (the agent's), and its free labels but `thread` and `capture_id` (those
 * columns read as "" for a process).
 */
export function processLabels(reply: AgentStatusReply, p: AgentStatusReply["processes"][number]): LabelSet {
  const { thread: _thread, capture_id: _captureId, ...free } = p.labels;
  return { service: p.service, version: p.version, host: reply.host, pid: p.pid, mode: modeName(reply.mode) ?? "", labels: free };
}

/** The running processes of the replies, by host then pid, deduplicated, with their labels; at most `max`. */
export function reportedProcesses(replies: readonly AgentStatusReply[], max = MAX_REPORTED_PROCESSES): { process: FleetProcess; labels: LabelSet }[] {
  const seen = new Map<string, { process: FleetProcess; labels: LabelSet }>();
  for (const r of replies) {
    for (const p of r.processes) {
      if (p.state === "finished" || p.pid === 0) continue;
      if (seen.size >= max) break;
      seen.set(`${r.host}\0${String(p.pid)}`, { process: { host: r.host, pid: p.pid, service: p.service, version: p.version }, labels: processLabels(r, p) });
    }
  }
  return [...seen.values()].sort((a, b) => (a.process.host === b.process.host ? a.process.pid - b.process.pid : a.process.host < b.process.host ? -1 : 1));
}

/** Every status reply that arrives within `maxWaitMs` (at most MAX_STATUS_REPLIES); never rejects (no agent at all is an empty list). */
export async function askFleetStatus(nc: NatsConnection, maxWaitMs: number, log?: Logger): Promise<AgentStatusReply[]> {
  const replies: AgentStatusReply[] = [];
  try {
    const it = await nc.requestMany(fleetStatusSubject(), toBinary(AgentStatusRequestSchema, create(AgentStatusRequestSchema)), {
      strategy: "timer",
      maxWait: Math.max(1, maxWaitMs),
      maxMessages: MAX_STATUS_REPLIES,
    });
    for await (const m of it) {
      try {
        replies.push(fromBinary(AgentStatusReplySchema, m.data));
      } catch (err) {
        log?.debug({ err }, "unreadable status reply on the fleet-wide subject ignored");
      }
    }
  } catch (err) {
    // No responders (no agent connected) or a permission error: the samples lookup still answers.
    log?.debug({ err }, `no status replies on ${fleetStatusSubject()}: ${errorMessage(err)}`);
  }
  return replies;
}

/** Processes matching `filter` that the agents report within `maxWaitMs`. */
export async function fleetProcesses(
  nc: NatsConnection,
  store: ReadTarget,
  filter: SampleFilter,
  maxWaitMs: number,
  options: ReadOptions = {},
  log?: Logger,
): Promise<FleetProcess[]> {
  const reported = reportedProcesses(await askFleetStatus(nc, maxWaitMs, log));
  const matched = await matchLabelSets(
    store,
    filter,
    reported.map((r) => r.labels),
    options,
  );
  return reported.filter((_, i) => matched[i] === true).map((r) => r.process);
}
