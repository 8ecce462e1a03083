/**
 * The status a control request gets (`AgentStatusReply` on `fleetprof.ctl.<host>.status` and
 * `fleetprof.ctl.all.status`): the agent's status, each process with its start time (coverage
 * 0 before its first window), and the capture limits.
 */
import { create } from "@bufbuild/protobuf";
import { AgentStatusReplySchema, type AgentStatusReply } from "@fleetprof/proto";
import type { CaptureLimits } from "../control/capture.js";
import { agentStatus, type StatusSource } from "./agent-status.js";

/** The reply to a status request. */
export function statusReply(source: StatusSource, limits: CaptureLimits): AgentStatusReply {
  const st = agentStatus(source);
  return create(AgentStatusReplySchema, {
    host: st.host,
    agentVersion: st.agentVersion,
    mode: st.mode,
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
    capturesRunning: st.capturesRunning,
    captureMaxConcurrent: limits.maxConcurrent,
    captureMaxDurationMs: limits.maxDurationMs,
    captureMaxRateHz: limits.maxRateHz,
    natsConnected: st.natsConnected,
  });
}
