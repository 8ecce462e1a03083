/**
 * The agent's status as `AgentHandle.status()` returns it in-process (`fleetprof up`, tests):
 * host, mode, py-spy, NATS and spool state, and every process with its coverage.
 */
import { profileMode, type ProfileMode } from "@fleetprof/proto";
import type { SpoolStats } from "../publish/spool.js";
import type { SamplingMode } from "../pyspy/run.js";
import type { ProcessSampler } from "../sampling/process-sampler.js";
import { AGENT_VERSION } from "../version.js";

export interface ProcessStatus {
  pid: number;
  key: string;
  service: string;
  version: string;
  labels: Record<string, string>;
  state: "running" | "backoff" | "finished";
  /** Ticks taken / expected over the last window. */
  coverage: number | undefined;
  windows: number;
}

export interface AgentStatus {
  host: string;
  agentVersion: string;
  mode: ProfileMode;
  pySpy: string | undefined;
  natsConnected: boolean;
  spool: SpoolStats;
  processes: ProcessStatus[];
  /** Ad-hoc captures running now. */
  capturesRunning: number;
}

/** What status reads of a sampler. */
export type StatusSampler = Pick<ProcessSampler, "target" | "state" | "lastCoverage" | "windows">;

/** Where the status comes from, read each time it is asked for. */
export interface StatusSource {
  host: string;
  mode: SamplingMode;
  pySpy: () => string | undefined;
  natsConnected: () => boolean;
  spool: () => SpoolStats;
  samplers: ReadonlyMap<string, StatusSampler>;
  capturesRunning: () => number;
}

/** One process as status shows it. */
function processStatus(s: StatusSampler): ProcessStatus {
  return {
    pid: s.target.pid,
    key: s.target.key,
    service: s.target.service,
    version: s.target.version,
    labels: s.target.labels,
    state: s.state,
    coverage: s.lastCoverage,
    windows: s.windows,
  };
}

/** The agent's status now. */
export function agentStatus(source: StatusSource): AgentStatus {
  return {
    host: source.host,
    agentVersion: AGENT_VERSION,
    mode: profileMode(source.mode),
    pySpy: source.pySpy(),
    natsConnected: source.natsConnected(),
    spool: source.spool(),
    processes: [...source.samplers.values()].map(processStatus),
    capturesRunning: source.capturesRunning(),
  };
}
