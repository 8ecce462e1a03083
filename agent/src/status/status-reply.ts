/**
 * The status a control request gets (`AgentStatusReply` on `fleetprof.ctl.<host>.status` and
 * `fleetprof.ctl.all.status`): the agent's status, each process with its start time (coverage
 * 0 before its first window), and the capture limits.
 */
import { create } from "@bufbuild/protobuf";
import { AgentStatusReplySchema, profileMode, type AgentStatusReply } from "@fleetprof/proto";
import type { CaptureLimits } from "../control/capture.js";
import type { StatusSource } from "./agent-status.js";
import { AGENT_VERSION } from "../version.js";

/** The reply to a status request. */
export function statusReply(source: StatusSource, limits: CaptureLimits): AgentStatusReply {
  return create(AgentStatusReplySchema, {
    host: source.host,
    agentVersion: AGENT_VERSION,
    mode: profileMode(source.mode),
    processes: [...source.samplers.values()].map((s) => ({
      pid: s.target.pid,
      service: s.target.service,
      version: s.target.version,
      coverage: s.lastCoverage ?? 0,
      state: s.state,
      processStartUnixMs: BigInt(s.target.startUnixMs),
      labels: s.target.labels,
      windows: s.windows,
    })),
    capturesRunning: source.capturesRunning(),
    captureMaxConcurrent: limits.maxConcurrent,
    captureMaxDurationMs: limits.maxDurationMs,
    captureMaxRateHz: limits.maxRateHz,
    natsConnected: source.natsConnected(),
  });
}
