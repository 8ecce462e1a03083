/**
 * Processes the agents say they profile, matching a selector: one AgentStatusRequest on the
 * fleet-wide subject `fleetprof.ctl.all.status`, every reply collected until a short deadline.
 * This finds processes that sent no samples — in cpu mode a process blocked the whole time
 * sends none, which is exactly the "all workers are stuck" case. Hosts that do not answer in
 * time are simply not in the result (the recent-samples lookup still covers them).
 */
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import type { Logger } from "@fleetprof/common";
import { AgentStatusReplySchema, AgentStatusRequestSchema, fleetStatusSubject, ProfileMode, type AgentStatusReply } from "@fleetprof/proto";
import type { NatsConnection } from "@nats-io/transport-node";
import { matchesLabels, type Matcher } from "../selector/index.js";

/** How long the query API collects status replies from the agents, ms. */
export const FLEET_STATUS_WAIT_MS = 1500;

export interface FleetProcess {
  host: string;
  pid: number;
  service: string;
  version: string;
}

const MODE_NAMES: Partial<Record<ProfileMode, string>> = { [ProfileMode.CPU]: "cpu", [ProfileMode.WALL]: "wall", [ProfileMode.GIL]: "gil" };

/**
 * The labels a selector sees for one process an agent reports: its free labels, then the
 * columns service, version, host, pid and mode (the agent's); no thread and no capture_id (so
 * they read as "").
 */
export function processLabels(reply: AgentStatusReply, p: AgentStatusReply["processes"][number]): Record<string, string> {
  const { thread: _thread, capture_id: _captureId, ...free } = p.labels;
  return { ...free, service: p.service, version: p.version, host: reply.host, pid: String(p.pid), mode: MODE_NAMES[reply.mode] ?? "" };
}

/** The running processes of the replies that match, by host then pid, deduplicated. */
export function matchingProcesses(replies: readonly AgentStatusReply[], matchers: readonly Matcher[]): FleetProcess[] {
  const seen = new Map<string, FleetProcess>();
  for (const r of replies) {
    for (const p of r.processes) {
      if (p.state === "finished" || p.pid === 0) continue;
      if (!matchesLabels(matchers, processLabels(r, p))) continue;
      seen.set(`${r.host}\0${String(p.pid)}`, { host: r.host, pid: p.pid, service: p.service, version: p.version });
    }
  }
  return [...seen.values()].sort((a, b) => (a.host === b.host ? a.pid - b.pid : a.host < b.host ? -1 : 1));
}

/** Every status reply that arrives within `maxWaitMs`; never rejects (no agent at all is an empty list). */
export async function askFleetStatus(nc: NatsConnection, maxWaitMs: number, log?: Logger): Promise<AgentStatusReply[]> {
  const replies: AgentStatusReply[] = [];
  try {
    const it = await nc.requestMany(fleetStatusSubject(), toBinary(AgentStatusRequestSchema, create(AgentStatusRequestSchema)), { strategy: "timer", maxWait: Math.max(1, maxWaitMs) });
    for await (const m of it) {
      try {
        replies.push(fromBinary(AgentStatusReplySchema, m.data));
      } catch (err) {
        log?.debug({ err }, "unreadable status reply on the fleet-wide subject ignored");
      }
    }
  } catch (err) {
    // No responders (no agent connected) or a permission error: the samples lookup still answers.
    log?.debug({ err }, `no status replies on ${fleetStatusSubject()}: ${(err as Error).message}`);
  }
  return replies;
}

/** Processes matching `matchers` that the agents report within `maxWaitMs`. */
export async function fleetProcesses(nc: NatsConnection, matchers: readonly Matcher[], maxWaitMs: number, log?: Logger): Promise<FleetProcess[]> {
  return matchingProcesses(await askFleetStatus(nc, maxWaitMs, log), matchers);
}
