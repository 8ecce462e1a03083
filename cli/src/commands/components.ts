/**
 * `fleetprof agent | collector | query-api`: each runs one component, exactly as its own
 * package runs it (the package owns its options and lifecycle). Loaded on demand, so client
 * commands start fast.
 */
import { ErrorCode, FleetprofError, type OptionSchema } from "@fleetprof/common";
import type { Command } from "./command.js";

interface ComponentModule {
  [key: string]: unknown;
}

function component(name: string, pkg: string, runExport: string, optionsExport: string, summary: string, examples: string[]): Command {
  const load = async (): Promise<{ run: (argv: string[]) => Promise<unknown>; options: OptionSchema }> => {
    const mod = (await import(pkg)) as ComponentModule;
    const run = mod[runExport];
    const options = mod[optionsExport];
    if (typeof run !== "function" || options === undefined) {
      throw new FleetprofError(ErrorCode.Unsupported, `this build of fleetprof has no ${name} yet (${pkg} does not export ${runExport})`);
    }
    return { run: run as (argv: string[]) => Promise<unknown>, options: options as OptionSchema };
  };
  return {
    name,
    summary,
    usage: `fleetprof ${name} [options]`,
    examples,
    options: async () => (await load()).options,
    run: async (argv) => {
      const { run } = await load();
      const result = await run(argv);
      return typeof result === "number" ? result : 0;
    },
  };
}

export const agentCommand = component("agent", "@fleetprof/agent", "runAgent", "agentOptions", "Run the profiling agent: finds this host's Python processes and streams their stacks to NATS", [
  "fleetprof agent --nats-url nats://nats.internal:4222",
]);

export const collectorCommand = component("collector", "@fleetprof/collector", "runCollector", "collectorOptions", "Run a collector: consumes stack samples from NATS and writes them to ClickHouse", [
  "fleetprof collector --nats-url nats://nats.internal:4222 --clickhouse-url http://default:@clickhouse:8123/fleetprof",
]);

export const queryApiCommand = component("query-api", "@fleetprof/query-api", "runQueryApi", "queryApiOptions", "Run the gRPC query API server over a ClickHouse store", [
  "fleetprof query-api --clickhouse-url http://default:@clickhouse:8123/fleetprof",
]);
