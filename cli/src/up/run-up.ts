/**
 * `fleetprof up`: the whole stack in one process on embedded defaults: nats-server with
 * JetStream in the data dir (or --nats-url), collector and query API sharing one embedded
 * ClickHouse, an agent for this machine's Python processes, and with --demo a small Python
 * service in two versions. Ctrl-C stops everything in order; nothing is left running.
 */
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { createLogger, ErrorCode, errorMessage, FleetprofError, type Logger } from "@fleetprof/common";
import type { Io } from "../io.js";
import type { Child } from "./children.js";
import { componentConfig } from "./components.js";
import { lockDataDir } from "./data-dir-lock.js";
import { DEMO_SERVICE, DEMO_SLOWER_FUNCTION, DEMO_VERSIONS, startDemo } from "./demo.js";
import { pickPort, startNatsServer } from "./nats-server.js";
import { checkPrerequisites, type Found } from "./prerequisites.js";

export interface UpConfig {
  demo: boolean;
  dataDir: string;
  natsUrl: string | undefined;
  natsPort: number;
  apiPort: number;
  /** The web UI's host:port ("" for none). */
  httpListen: string;
  agent: boolean;
  pySpy: string | undefined;
  logLevel: string;
}

export interface RunningStack {
  apiAddress: string;
  /** Where a browser opens the UI, when it is served. */
  uiUrl: string | undefined;
  natsUrl: string;
  /** Resolves when something the stack depends on died (then stop and exit non-zero). */
  failed: Promise<string>;
  stop: () => Promise<void>;
}

/** `host:port` with the port free (another one if taken), or "" for off. */
async function freeListen(listen: string): Promise<string> {
  const m = /^(.*):(\d+)$/.exec(listen.trim());
  if (listen.trim() === "" || m === null || m[2] === "0") return listen.trim();
  return `${m[1] ?? ""}:${String(await pickPort(Number(m[2])))}`;
}

/** What to run at stop, in start order (stopped in reverse). */
type Stops = [string, () => Promise<void>][];

interface InProcess {
  storeUrl: string;
  apiAddress: string;
  uiUrl: string | undefined;
}

/** The embedded store, the collector and the query API, in this process. */
async function startInProcess(config: UpConfig, dataDir: string, natsUrl: string, io: Io, logger: Logger, stops: Stops): Promise<InProcess> {
  // Loaded here, not at start-up: client commands never load ClickHouse.
  const [storeMod, collectorMod, queryApiMod] = await Promise.all([import("@fleetprof/store"), import("@fleetprof/collector"), import("@fleetprof/query-api")]);
  const storeUrl = `chdb://${resolve(dataDir, "data")}`;
  const storeConfig = componentConfig(storeMod.storeOptions, { "clickhouse-url": storeUrl }, io.env);
  const store = await storeMod.openStore(storeUrl, {
    database: storeConfig.clickhouseDatabase,
    rawTtlMs: storeConfig.rawTtl,
    rollup1mTtlMs: storeConfig.rollup1mTtl,
    rollup1hTtlMs: storeConfig.rollup1hTtl,
    logger: logger.child({ module: "store" }),
  });
  stops.push(["store", () => store.close()]);
  const collector = await collectorMod.startCollector(
    componentConfig(collectorMod.collectorOptions, { "nats-url": natsUrl, "clickhouse-url": storeUrl, "metrics-listen": "" }, io.env),
    {
      store,
      logger,
    },
  );
  stops.push(["collector", () => collector.stop()]);
  const httpListen = await freeListen(config.httpListen);
  const queryApi = await queryApiMod.startQueryApi(
    componentConfig(
      queryApiMod.queryApiOptions,
      { "clickhouse-url": storeUrl, "nats-url": natsUrl, host: "127.0.0.1", port: await pickPort(config.apiPort), "http-listen": httpListen },
      io.env,
    ),
    {
      store,
      logger,
    },
  );
  stops.push(["query API", () => queryApi.stop()]);
  return { storeUrl, apiAddress: `127.0.0.1:${String(queryApi.port)}`, uiUrl: queryApi.httpUrl };
}

/** The demo service's two versions; not load-bearing: if one dies the stack keeps running, and says so. */
async function startDemoProcesses(python: string, io: Io, stops: Stops): Promise<Child[]> {
  const demo = await startDemo(python, io.env);
  for (const c of demo) {
    stops.push([c.name, () => c.stop()]);
    void c.exited.then((code) => {
      if (stops.some(([name]) => name === c.name)) io.stderr.write(`fleetprof up: demo ${c.name} exited (${String(code)}); the rest keeps running\n`);
    });
  }
  return demo;
}

/** An agent for this machine's Python processes (and the demo's, with --demo). */
async function startLocalAgent(config: UpConfig, dataDir: string, natsUrl: string, found: Found, io: Io, logger: Logger, stops: Stops): Promise<void> {
  const agentMod = await import("@fleetprof/agent");
  const agentValues: Record<string, string | boolean | number> = {
    "nats-url": natsUrl,
    "spool-dir": resolve(dataDir, "spool"),
    "profile-own-children": config.demo,
  };
  if (found.pySpy !== undefined) agentValues["py-spy"] = found.pySpy;
  const agent = await agentMod.startAgent(componentConfig(agentMod.agentOptions, agentValues, io.env), logger);
  stops.push(["agent", () => agent.stop()]);
}

/** What runs where, and what to try next. */
function sayReady(say: (line: string) => void, config: UpConfig, dataDir: string, natsUrl: string, started: InProcess, demo: Child[]): void {
  const { storeUrl, apiAddress, uiUrl } = started;
  say("");
  say(`  NATS        ${natsUrl}${config.natsUrl === undefined ? `  (nats-server with JetStream, data in ${resolve(dataDir, "nats")})` : ""}`);
  say(`  store       ${storeUrl}  (embedded ClickHouse)`);
  say(`  collector   NATS → store, in this process`);
  say(`  query API   ${apiAddress}  (gRPC, in this process)`);
  if (uiUrl !== undefined) say(`  web UI      ${uiUrl}  (flame graphs, comparisons and incidents in the browser; Connect API for curl)`);
  say(config.agent ? `  agent       profiling this machine's Python processes` : `  agent       off (--no-agent)`);
  if (demo.length > 0) say(`  demo        ${demo.map((c, k) => `${DEMO_SERVICE} ${DEMO_VERSIONS[k] ?? ""} (pid ${String(c.pid)})`).join(", ")}`);
  say("");
  const api = apiAddress === "127.0.0.1:4319" ? "" : ` --api ${apiAddress}`;
  if (demo.length > 0) {
    say(`Samples arrive after the agent's first window (about 20 s). Then, in another terminal:`);
    say(`  npx fleetprof services${api}`);
    say(`  npx fleetprof diff ${DEMO_SERVICE}@1.0 ${DEMO_SERVICE}@2.0 --since 5m${api} -o diff.html`);
    say(`and open diff.html: ${DEMO_SLOWER_FUNCTION} is red, version 2.0 spends twice as long in it.`);
    if (uiUrl !== undefined) say(`Or in the browser: Services → ${DEMO_SERVICE} → Compare 1.0 → 2.0.`);
  } else {
    say(`Next, in another terminal:  npx fleetprof services${api}   then   npx fleetprof flame <service>${api} -o flame.html`);
  }
  say(`Ctrl-C stops everything.`);
  say(uiUrl === undefined ? "fleetprof up: ready" : `fleetprof up: ready — open ${uiUrl}`);
}

/** Starts everything; on failure stops what already started and throws. */
export async function startStack(config: UpConfig, io: Io): Promise<RunningStack> {
  const dataDir = resolve(io.cwd, config.dataDir);
  const found = checkPrerequisites({ nats: config.natsUrl === undefined, agent: config.agent, demo: config.demo, pySpy: config.pySpy });
  if (found.problems.length > 0) {
    throw new FleetprofError(ErrorCode.MissingPrerequisite, found.problems.map((p) => p.problem).join("\n"));
  }
  mkdirSync(dataDir, { recursive: true });
  const unlock = lockDataDir(dataDir);
  const logger: Logger = createLogger({ name: "fleetprof-up", level: config.logLevel, destination: 2, format: io.stderr.isTTY === true ? "pretty" : "json" });
  const stops: Stops = [["data dir lock", async () => unlock()]];
  const deaths: Promise<string>[] = [];
  const stop = async (): Promise<void> => {
    for (const [name, fn] of stops.splice(0).reverse()) {
      try {
        await fn();
      } catch (err) {
        io.stderr.write(`fleetprof up: stopping ${name}: ${errorMessage(err)}\n`);
      }
    }
  };
  try {
    const say = (line: string): void => void io.stdout.write(`${line}\n`);
    say(`fleetprof up: starting in ${dataDir}`);
    let natsUrl = config.natsUrl;
    if (natsUrl === undefined) {
      const nats = await startNatsServer(dataDir, config.natsPort);
      natsUrl = nats.url;
      stops.push(["nats-server", () => nats.child.stop()]);
      deaths.push(nats.child.exited.then((code) => `${nats.child.name} exited (${String(code)}):\n${nats.child.output().slice(-1500)}`));
    }
    const started = await startInProcess(config, dataDir, natsUrl, io, logger, stops);
    const demo = config.demo && found.python !== undefined ? await startDemoProcesses(found.python, io, stops) : [];
    if (config.agent) await startLocalAgent(config, dataDir, natsUrl, found, io, logger, stops);
    sayReady(say, config, dataDir, natsUrl, started, demo);
    return {
      apiAddress: started.apiAddress,
      uiUrl: started.uiUrl,
      natsUrl,
      failed: Promise.race(deaths.length > 0 ? deaths : [new Promise<string>(() => undefined)]),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
