/**
 * The agent: discovery every `interval`, one continuous sampler per Python process, window
 * boundaries on the wall clock, batches per service into the spool, and the publisher that
 * drains the spool into JetStream; the control endpoint (capture, dump, status) on NATS
 * request/reply. Each of these lives in its own module; this file puts them together.
 */
import { createLogger, ErrorCode, errorMessage, FleetprofError, systemClock, type Clock, type Logger } from "@fleetprof/common";
import type { ProcessProfile } from "@fleetprof/proto";
import { captureLimits, openControlEndpoint } from "./control/control-endpoint.js";
import { isAlive } from "./discovery/liveness.js";
import { DiscoveryReconciler } from "./discovery/reconcile.js";
import { compileRules } from "./discovery/rules.js";
import { Scanner } from "./discovery/scanner.js";
import { samplerTarget } from "./labels/target.js";
import { AgentMetrics } from "./metrics/agent-metrics.js";
import { serveMetrics, type MetricsServer } from "./metrics/server.js";
import { completeAgentConfig, type AgentConfig } from "./options.js";
import { Batcher } from "./publish/batcher.js";
import { Publisher } from "./publish/publisher.js";
import { Spool } from "./publish/spool.js";
import { FailureReporter } from "./pyspy/failure-reporter.js";
import { PySpyLocator } from "./pyspy/pyspy-locator.js";
import { RunFiles } from "./pyspy/run-files.js";
import type { SamplingMode } from "./pyspy/run.js";
import { OutputAccounting } from "./sampling/output-accounting.js";
import { ProcessSampler, type SamplerTarget } from "./sampling/process-sampler.js";
import { samplerHooks } from "./sampling/sampler-hooks.js";
import { WindowAccounting } from "./sampling/window-accounting.js";
import { WindowBoundaries } from "./sampling/window-boundaries.js";
import { agentStatus, type AgentStatus, type StatusSource } from "./status/agent-status.js";
import { statusReply } from "./status/status-reply.js";
import { stopAgent } from "./stop-agent.js";
import { AGENT_VERSION } from "./version.js";

type FullConfig = AgentConfig & { host: string };

export interface AgentHandle {
  readonly host: string;
  readonly config: FullConfig;
  /** The port metrics are served on, when enabled. */
  readonly metricsPort: number | undefined;
  readonly metrics: AgentMetrics;
  status: () => AgentStatus;
  /** Prometheus text of the agent's metrics. */
  metricsText: () => string;
  /** Scans /proc now (tests; the agent scans on its own every `interval`). */
  scanNow: () => void;
  /** Flushes the current windows, publishes what it can, kills every py-spy. */
  stop: () => Promise<void>;
}

/** Starts the agent: it profiles, publishes and answers control requests until `stop()`. */
export async function startAgent(partial: Partial<AgentConfig> = {}, logger?: Logger): Promise<AgentHandle> {
  const clock = systemClock;
  const config = completeAgentConfig(partial);
  const root = logger ?? createLogger({ name: "fleetprof-agent" });
  const log = root.child({ module: "agent" });
  const metrics = new AgentMetrics();
  const scanner = new Scanner(discoveryRules(config), config.procDir);
  const mode = config.mode as SamplingMode;
  const ptraceScope = scanner.proc.sysctl("kernel/yama/ptrace_scope");
  const { spool, publisher, batcher } = openPublishing(config, metrics, log, root);
  const files = new RunFiles();
  const { locator, output, discovery, alive } = wireSampling({ config, mode, ptraceScope, scanner, metrics, log, files, clock, emit: (p) => batcher.add(p) });
  const samplers = discovery.samplers;
  // Read on status requests only, once `control` exists.
  const source: StatusSource = {
    host: config.host,
    mode,
    pySpy: () => locator.path,
    natsConnected: () => publisher.connected,
    spool: () => spool.stats(),
    samplers,
    capturesRunning: () => control.captures.running,
  };
  const control = openControlEndpoint({
    config,
    pySpy: () => locator.path,
    samplers,
    alive,
    files,
    ptraceScope,
    publisher,
    output,
    status: () => statusReply(source, captureLimits(config)),
    metrics,
    log: root.child({ module: "control" }),
    clock,
  });
  publisher.onFirstConnect((nc) => control.server.attach(nc));

  let stopping = false;
  const scan = (): void => {
    if (stopping) return;
    locator.locate();
    discovery.scan();
  };
  locator.locate();
  scan();
  const scanning = clock.every(config.interval, scan);
  const boundaries = new WindowBoundaries({ windowMs: config.window, clock, samplers, onCoverage: (c) => metrics.coverage.set(c) });
  boundaries.start();
  const metricsServer = await startMetricsServer(config, metrics, log);
  log.info({ host: config.host, window: config.window, rate: config.rate, mode, spool: spool.onDisk ? config.spoolDir : "memory" }, "agent started");

  const halt = (): void => {
    stopping = true;
    scanning.cancel();
    boundaries.stop();
  };
  let stopped: Promise<void> | undefined;
  return {
    host: config.host,
    config,
    metricsPort: metricsServer?.port,
    metrics,
    metricsText: () => metrics.registry.render(),
    scanNow: scan,
    stop: () => (stopped ??= stopAgent({ halt, control: control.server, captures: control.captures, samplers, batcher, publisher, metricsServer, files, log })),
    status: () => agentStatus(source),
  };
}

interface Sampling {
  locator: PySpyLocator;
  output: OutputAccounting;
  discovery: DiscoveryReconciler<ProcessSampler>;
  alive: (target: SamplerTarget) => boolean;
}

/**
 * Continuous sampling wired together: discovery starts a sampler per process found (once py-spy
 * is), each sampler's runs and failures go through the shared hooks, and each ended window is
 * accounted for and its profile handed to `emit`.
 */
function wireSampling(o: {
  config: FullConfig;
  mode: SamplingMode;
  ptraceScope: string | undefined;
  scanner: Scanner;
  metrics: AgentMetrics;
  log: Logger;
  files: RunFiles;
  clock: Clock;
  emit: (profile: ProcessProfile) => void;
}): Sampling {
  const { config, mode, scanner, metrics, log } = o;
  const locator = new PySpyLocator({ explicit: config.pySpy, log, clock: o.clock });
  const output = new OutputAccounting(metrics, log);
  const failures = new FailureReporter(log, metrics, o.ptraceScope, () => locator.path ?? "py-spy");
  const alive = (t: SamplerTarget): boolean => isAlive(scanner.proc, t);
  const discovery: DiscoveryReconciler<ProcessSampler> = new DiscoveryReconciler({
    scan: () => scanner.scan(),
    procDir: config.procDir,
    canSample: () => locator.path !== undefined,
    // Called on scans only, once `hooks` exists.
    createSampler: (p) => new ProcessSampler(samplerTarget(scanner.proc, p, config.maxLabels), hooks, o.clock),
    maxProcesses: config.maxProcesses,
    forget: (key) => failures.forget(key),
    metrics,
    log,
  });
  const windows = new WindowAccounting({
    rateHz: config.rate,
    mode,
    metrics,
    output,
    samplers: discovery.samplers,
    recovered: (key) => failures.recovered(key),
    emit: o.emit,
  });
  const hooks = samplerHooks({ config, mode, locator, files: o.files, onWindow: (w) => windows.onWindow(w), failures, alive, metrics, log, clock: o.clock });
  return { locator, output, discovery, alive };
}

/** The discovery rules from the options; a bad rule (regex, user) is an InvalidConfig error. */
function discoveryRules(config: FullConfig): ReturnType<typeof compileRules> {
  try {
    return compileRules({ ...config, minAgeMs: config.minAge, selfPid: process.pid });
  } catch (err) {
    throw new FleetprofError(ErrorCode.InvalidConfig, errorMessage(err), { cause: err });
  }
}

/** The spool (warning when it cannot be on disk), the publisher draining it, and the batcher feeding it. */
function openPublishing(config: FullConfig, metrics: AgentMetrics, log: Logger, root: Logger): { spool: Spool; publisher: Publisher; batcher: Batcher } {
  const spool = new Spool(config.spoolDir, config.spoolMaxBytes);
  if (!spool.onDisk) {
    log.warn(
      { spoolDir: config.spoolDir, reason: spool.memoryReason },
      `cannot write the spool directory ${config.spoolDir}: batches are buffered in memory only while NATS is down (set --spool-dir to a writable directory)`,
    );
  } else if (spool.stats().messages > 0) {
    log.info({ messages: spool.stats().messages }, "republishing batches spooled by a previous run");
  }
  const publisher = new Publisher({ natsUrl: config.natsUrl, natsAuth: config, spool, metrics, log: root.child({ module: "publisher" }) });
  publisher.start();
  const batcher = new Batcher(
    config.host,
    AGENT_VERSION,
    (batch) => publisher.enqueue(batch),
    (err, batch) => {
      metrics.batchErrors.inc();
      log.error(
        { err, batchId: batch.batchId, profiles: batch.profiles.length },
        `dropped a batch of ${String(batch.profiles.length)} profile(s) that could not be spooled: ${errorMessage(err)}`,
      );
    },
  );
  return { spool, publisher, batcher };
}

/** Serves /metrics when a port is set; a port that cannot be used is logged, and the agent runs on without. */
async function startMetricsServer(config: FullConfig, metrics: AgentMetrics, log: Logger): Promise<MetricsServer | undefined> {
  if (config.metricsPort <= 0) return undefined;
  try {
    const server = await serveMetrics(metrics.registry, config.metricsPort, config.metricsHost);
    log.info({ port: server.port }, `metrics on http://${config.metricsHost}:${String(server.port)}/metrics`);
    return server;
  } catch (err) {
    log.error(
      { err, port: config.metricsPort },
      `cannot serve metrics on port ${String(config.metricsPort)}: ${errorMessage(err)} (choose another --metrics-port)`,
    );
    return undefined;
  }
}
