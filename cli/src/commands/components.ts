/**
 * `fleetprof agent | collector | query-api`: each runs one component exactly as its own
 * package runs it (the package owns its options and lifecycle). Loaded on demand, so client
 * commands start fast.
 */
import type { Command } from "./command.js";

export const agentCommand: Command = {
  name: "agent",
  summary: "Run the profiling agent: finds this host's Python processes and streams their stacks to NATS",
  usage: "fleetprof agent [options]",
  examples: ["fleetprof agent --nats-url nats://nats.internal:4222", "fleetprof agent --include 'gunicorn|celery' --mode wall"],
  options: async () => (await import("@fleetprof/agent")).agentOptions,
  run: async (argv) => (await import("@fleetprof/agent")).runAgent(argv),
};

export const collectorCommand: Command = {
  name: "collector",
  summary: "Run a collector: consumes stack samples from NATS and writes them to ClickHouse",
  usage: "fleetprof collector [options]",
  examples: ["fleetprof collector --nats-url nats://nats.internal:4222 --clickhouse-url http://default:@clickhouse:8123/fleetprof"],
  options: async () => (await import("@fleetprof/collector")).collectorOptions,
  run: async (argv) => (await import("@fleetprof/collector")).runCollector(argv),
};

export const queryApiCommand: Command = {
  name: "query-api",
  summary: "Run the gRPC query API server over a ClickHouse store",
  usage: "fleetprof query-api [options]",
  examples: ['fleetprof query-api --clickhouse-url http://default:@clickhouse:8123/fleetprof --host 0.0.0.0 --token "$TOKEN"'],
  options: async () => (await import("@fleetprof/query-api")).queryApiOptions,
  run: async (argv) => (await import("@fleetprof/query-api")).runQueryApi(argv),
};
