/**
 * The packages `fleetprof up` runs in its own process, loaded on demand (client commands
 * never load ClickHouse). Each package owns its options; `up` only fills in where things are.
 */
import { ErrorCode, FleetprofError, loadConfig, type Logger, type OptionSchema } from "@fleetprof/common";

export interface Stoppable {
  stop?: () => Promise<void> | void;
  close?: () => Promise<void> | void;
}

export interface StoreHandle {
  close(): Promise<void>;
}

interface AgentModule {
  agentOptions: OptionSchema;
  startAgent: (config: unknown, logger?: Logger) => Promise<Stoppable>;
}
interface CollectorModule {
  collectorOptions: OptionSchema;
  startCollector: (config: unknown, deps: { store: StoreHandle; logger: Logger }) => Promise<Stoppable>;
}
interface QueryApiModule {
  queryApiOptions: OptionSchema;
  startQueryApi: (config: unknown, deps: { store: StoreHandle; logger: Logger }) => Promise<Stoppable & { port: number }>;
}
interface StoreModule {
  openStore: (url: string, options?: { logger?: Logger }) => Promise<StoreHandle>;
}

function missing(pkg: string, what: string): FleetprofError {
  return new FleetprofError(ErrorCode.Unsupported, `this build of fleetprof cannot run the ${what} yet (${pkg} is missing its start function)`);
}

export async function loadAgent(): Promise<AgentModule> {
  const mod = (await import("@fleetprof/agent")) as Partial<AgentModule>;
  if (typeof mod.startAgent !== "function" || mod.agentOptions === undefined) throw missing("@fleetprof/agent", "agent");
  return mod as AgentModule;
}

export async function loadCollector(): Promise<CollectorModule> {
  const mod = (await import("@fleetprof/collector")) as Partial<CollectorModule>;
  if (typeof mod.startCollector !== "function" || mod.collectorOptions === undefined) throw missing("@fleetprof/collector", "collector");
  return mod as CollectorModule;
}

export async function loadQueryApi(): Promise<QueryApiModule> {
  const mod = (await import("@fleetprof/query-api")) as Partial<QueryApiModule>;
  if (typeof mod.startQueryApi !== "function" || mod.queryApiOptions === undefined) throw missing("@fleetprof/query-api", "query API");
  return mod as QueryApiModule;
}

export async function loadStore(): Promise<StoreModule> {
  const mod = (await import("@fleetprof/store")) as Partial<StoreModule>;
  if (typeof mod.openStore !== "function") throw missing("@fleetprof/store", "store");
  return mod as StoreModule;
}

/**
 * A component's full configuration: its defaults and FLEETPROF_* environment, with the
 * values `up` decides set on top (only those the component has).
 */
export function componentConfig(schema: OptionSchema, values: Record<string, string | boolean | number>, env: NodeJS.ProcessEnv): unknown {
  const argv: string[] = [];
  for (const [name, value] of Object.entries(values)) {
    if (!(name in schema)) continue;
    argv.push(`--${name}=${String(value)}`);
  }
  return loadConfig(schema, { argv, env }).config;
}

export async function stopComponent(c: Stoppable | undefined): Promise<void> {
  if (c === undefined) return;
  if (typeof c.stop === "function") await c.stop();
  else if (typeof c.close === "function") await c.close();
}
