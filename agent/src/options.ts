/**
 * The agent's options: one kebab-case name each, used as flag (`--nats-url`), environment
 * variable (`FLEETPROF_NATS_URL`) and config-file key (`"nats-url"`).
 */
import { hostname } from "node:os";
import { defineOptions, loadConfig, natsAuthOptions, type ConfigOf } from "@fleetprof/common";
import { DEFAULT_MODE, MODE_NAMES } from "@fleetprof/proto";

export const agentOptions = defineOptions({
  "nats-url": { type: "string", doc: "NATS server(s), comma-separated", default: "nats://127.0.0.1:4222" },
  ...natsAuthOptions,
  host: { type: "string", doc: "host name put on every batch and subject (default: the machine's host name)" },
  interval: { type: "duration", doc: "how often /proc is scanned for Python processes", default: 5000, min: 200 },
  window: { type: "duration", doc: "length of one sampling window, aligned to the wall clock", default: 10_000, min: 1000 },
  rate: { type: "number", doc: "samples per second per process", default: 100, min: 1 },
  mode: {
    type: "string",
    doc: "cpu (on-CPU only), wall (idle threads too, py-spy --idle) or gil (GIL holders, py-spy --gil)",
    default: DEFAULT_MODE,
    choices: MODE_NAMES,
  },
  nonblocking: { type: "boolean", doc: "sample without pausing the target (py-spy --nonblocking)", default: true },
  include: { type: "list", doc: "only profile processes whose command line matches one of these regexes", default: [] },
  exclude: { type: "list", doc: "never profile processes whose command line matches one of these regexes", default: [] },
  "include-users": { type: "list", doc: "only profile processes of these users (names or uids)", default: [] },
  "exclude-users": { type: "list", doc: "never profile processes of these users (names or uids)", default: [] },
  "min-age": { type: "duration", doc: "skip processes younger than this (still starting up)", default: 1000 },
  "max-processes": { type: "number", doc: "profile at most this many processes at once", default: 64, min: 1 },
  "profile-own-children": { type: "boolean", doc: "also profile Python processes started by the agent's own process", default: false },
  "max-labels": { type: "number", doc: "at most this many extra labels per process (beyond service and version)", default: 16, min: 0 },
  "spool-dir": { type: "string", doc: "directory of the on-disk spool used while NATS is unreachable", default: "/var/lib/fleetprof/spool" },
  "spool-max-bytes": { type: "number", doc: "spool size limit; the oldest batches are dropped beyond it", default: 256 * 1024 * 1024, min: 0 },
  "py-spy": { type: "string", doc: "path of the py-spy binary (default: found next to python3 or on PATH)" },
  "py-spy-max-memory": {
    type: "number",
    doc: "bytes one py-spy run may allocate (its RLIMIT_DATA, set with prlimit); a run that needs more stops and its window or capture is lost",
    default: 256 * 1024 * 1024,
    min: 16 * 1024 * 1024,
  },
  "py-spy-deadline": { type: "duration", doc: "how long py-spy may take to start or to write its output before it is killed", default: 10_000, min: 500 },
  "metrics-port": { type: "number", doc: "serve Prometheus metrics on this port (0: off)", default: 0, min: 0 },
  "metrics-host": { type: "string", doc: "address the metrics server listens on", default: "0.0.0.0" },
  "capture-max-duration": { type: "duration", doc: "longest ad-hoc capture a control request may ask for", default: 60_000, min: 1000 },
  "capture-max-rate": { type: "number", doc: "highest sampling rate (Hz) a capture request may ask for", default: 1000, min: 1 },
  "capture-max-concurrent": { type: "number", doc: "captures that may run at once; more are answered BUSY", default: 2, min: 1 },
  "dump-deadline": { type: "duration", doc: "how long a dump request may take; processes not read by then are reported as timed out", default: 5000, min: 200 },
  "proc-dir": { type: "string", doc: "where the host's /proc is mounted (e.g. /host/proc in a container)", default: "/proc" },
});

export type AgentConfig = ConfigOf<typeof agentOptions>;

/** The defaults of every option (no flags, no environment). */
export function defaultAgentConfig(): AgentConfig {
  return loadConfig(agentOptions, { argv: [], env: {} }).config;
}

/** A full config from a partial one (programmatic use, e.g. `fleetprof up`). */
export function completeAgentConfig(partial: Partial<AgentConfig> = {}): AgentConfig & { host: string } {
  const config = { ...defaultAgentConfig(), ...stripUndefined(partial) };
  return { ...config, host: config.host ?? hostname() };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
