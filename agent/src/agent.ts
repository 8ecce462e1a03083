/**
 * The agent: discovery every `interval`, one continuous sampler per Python process, window
 * boundaries on the wall clock, batches per service into the spool, and the publisher that
 * drains the spool into JetStream; the control endpoint (capture, dump, status) on NATS
 * request/reply.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create } from "@bufbuild/protobuf";
import { createLogger, ErrorCode, FleetprofError, LogOnce, type Logger } from "@fleetprof/common";
import { AGENT_LIMITS, AgentStatusReplySchema, CaptureReply_Status, FORMAT_VERSION, SampleBatchSchema, type ProfileMode } from "@fleetprof/proto";
import { randomUUID } from "node:crypto";
import { CaptureService } from "./control/capture.js";
import { ControlServer } from "./control/control-server.js";
import { answerDump } from "./control/dump-request.js";
import { compileRules } from "./discovery/rules.js";
import { Scanner, type DiscoveredProcess } from "./discovery/scanner.js";
import { samplerTarget } from "./labels/target.js";
import { AgentMetrics } from "./metrics/agent-metrics.js";
import { serveMetrics, type MetricsServer } from "./metrics/server.js";
import { completeAgentConfig, type AgentConfig } from "./options.js";
import { Batcher } from "./publish/batcher.js";
import { Publisher } from "./publish/publisher.js";
import { Spool, type SpoolStats } from "./publish/spool.js";
import type { FailureKind } from "./pyspy/failure.js";
import { FailureReporter, MAX_BACKOFF_MS } from "./pyspy/failure-reporter.js";
import { locatePySpy } from "./pyspy/locate.js";
import type { PySpyOutput } from "./pyspy/output.js";
import { PySpyRun, type SamplingMode } from "./pyspy/run.js";
import { ProcessSampler, type EndedWindow, type SamplerTarget } from "./sampling/process-sampler.js";
import { buildProfile, expectedTicks, PROFILE_MODES, type BuiltProfile } from "./sampling/profile.js";
import { nextBoundary } from "./sampling/clock.js";
import { AGENT_VERSION } from "./version.js";

/** How long shutdown waits for py-spy to write its output. */
const STOP_DEADLINE_MS = 3000;

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

export interface AgentHandle {
  readonly host: string;
  readonly config: AgentConfig & { host: string };
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

export async function startAgent(partial: Partial<AgentConfig> = {}, logger?: Logger): Promise<AgentHandle> {
  const config = completeAgentConfig(partial);
  const root = logger ?? createLogger({ name: "fleetprof-agent" });
  const log = root.child({ module: "agent" });
  const metrics = new AgentMetrics();
  const once = new LogOnce();
  let rules;
  try {
    rules = compileRules({ ...config, minAgeMs: config.minAge, selfPid: process.pid });
  } catch (err) {
    throw new FleetprofError(ErrorCode.InvalidConfig, (err as Error).message, { cause: err });
  }
  const scanner = new Scanner(rules, config.procDir);
  const mode = config.mode as SamplingMode;

  const spool = new Spool(config.spoolDir, config.spoolMaxBytes);
  if (!spool.onDisk) {
    log.warn({ spoolDir: config.spoolDir, reason: spool.memoryReason }, `cannot write the spool directory ${config.spoolDir}: batches are buffered in memory only while NATS is down (set --spool-dir to a writable directory)`);
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
      log.error({ err, batchId: batch.batchId, profiles: batch.profiles.length }, `dropped a batch of ${String(batch.profiles.length)} profile(s) that could not be spooled: ${(err as Error).message}`);
    },
  );
  const workDir = mkdtempSync(join(tmpdir(), "fleetprof-agent-"));
  let runSeq = 0;

  // --- py-spy ---------------------------------------------------------------------------
  let pySpy: string | undefined;
  let locateRetryAt = 0;
  let locateDelay = 60_000;
  const locate = (): void => {
    if (pySpy !== undefined || Date.now() < locateRetryAt) return;
    try {
      pySpy = locatePySpy(config.pySpy);
      locateDelay = 60_000;
      log.info({ pySpy }, "using py-spy");
    } catch (err) {
      locateRetryAt = Date.now() + locateDelay;
      if (once.first("py-spy-missing")) log.error({ retryInMs: locateDelay }, `${(err as Error).message}; looking again every ${String(locateDelay / 1000)}s`);
      locateDelay = Math.min(locateDelay * 2, MAX_BACKOFF_MS);
    }
  };

  // --- samplers -------------------------------------------------------------------------
  const samplers = new Map<string, ProcessSampler>();
  const skipped = new Set<string>();
  let stopping = false;

  const onWindow = (w: EndedWindow): void => {
    metrics.windows.inc({ outcome: w.outcome });
    if (w.outcome === "complete") failures.recovered(w.target.key);
    const expected = expectedTicks(config.rate, w.startMs, w.endMs);
    // Sampled from py-spy's first sample (its "Sampling" line) to the stop: the gap before it is lost.
    const sampledFrom = Math.max(w.startMs, w.result.startedAt ?? w.endMs);
    const ticks = Math.min(expected, expectedTicks(config.rate, sampledFrom, w.endMs));
    metrics.ticks.inc({}, ticks);
    metrics.ticksExpected.inc({}, expected);
    metrics.samplerErrors.inc({}, w.result.errors);
    const sampler = samplers.get(w.target.key);
    if (sampler !== undefined && expected > 0) sampler.lastCoverage = Math.min(1, ticks / expected);
    const output = w.result.output;
    if (w.outcome === "lost" || output === undefined) return;
    if (w.target.labelsTruncated > 0) metrics.labelsTruncated.inc({}, w.target.labelsTruncated);
    const built = buildProfile(output, {
      pid: w.target.pid,
      processStartUnixMs: w.target.startUnixMs,
      service: w.target.service,
      version: w.target.version,
      labels: w.target.labels,
      labelsTruncated: w.target.labelsTruncated,
      mode,
      rateHz: config.rate,
      windowStartUnixMs: w.startMs,
      windowEndUnixMs: w.endMs,
      ticks,
      samplerErrors: w.result.errors,
    });
    accountOutput(output, built, w.target.pid);
    batcher.add(built.profile);
  };

  /** Counts what reading and building a profile cut; logs each kind of problem once. */
  const accountOutput = (output: PySpyOutput, built: BuiltProfile, pid: number): void => {
    metrics.samples.inc({}, built.samples);
    metrics.recordCuts(output.cuts, built.samplesOverCap);
    if (output.problem !== undefined) {
      metrics.parseErrors.inc();
      if (once.first("output-problem")) log.warn({ targetPid: pid, problem: output.problem }, `py-spy's output for pid ${String(pid)} could not be read whole: ${output.problem} (counted in fleetprof_agent_parse_errors_total; further cases are logged at debug)`);
      else log.debug({ targetPid: pid, problem: output.problem }, "py-spy output not read whole");
    }
    if (built.samplesOverCap > 0 && once.first("over-cap")) {
      log.warn({ targetPid: pid, removed: built.samplesOverCap }, `pid ${String(pid)}: py-spy's output counts more samples than the window's rate and length allow; ${String(built.samplesOverCap)} removed (fleetprof_agent_samples_capped_total)`);
    }
    if (output.cuts.deepStacks > 0 && once.first("deep-stacks")) {
      log.info({ targetPid: pid }, `pid ${String(pid)} has stacks deeper than ${String(AGENT_LIMITS.maxStackDepth)} frames: they are cut at the root end, a frame marks the cut (fleetprof_agent_stacks_truncated_total)`);
    }
  };

  const failures = new FailureReporter(root.child({ module: "agent" }), metrics, scanner.proc.sysctl("kernel/yama/ptrace_scope"), () => pySpy ?? "py-spy");
  const onFailure = (target: SamplerTarget, kind: FailureKind, detail: string, backoff: boolean): number => {
    if (kind === "not-installed") {
      pySpy = undefined;
      locateRetryAt = 0;
    }
    return failures.report(target, kind, detail, backoff);
  };

  const startRun = (pid: number, gated: boolean): PySpyRun =>
    new PySpyRun(
      {
      pySpy: pySpy ?? "py-spy",
      pid,
      rate: config.rate,
      mode,
      nonblocking: config.nonblocking,
      outputPath: join(workDir, `${String(pid)}-${String(++runSeq)}.json`),
      deadlineMs: config.pySpyDeadline,
      maxMemoryBytes: config.pySpyMaxMemory,
      },
      gated,
    );

  const alive = (t: SamplerTarget): boolean => {
    const stat = scanner.proc.stat(t.pid);
    return stat !== undefined && `${String(t.pid)}:${String(stat.startTicks)}` === t.key && stat.state !== "Z";
  };

  const hooks = {
    startRun,
    onWindow,
    onFailure,
    onGap: (ms: number) => {
      metrics.windowGapSeconds.inc({}, ms / 1000);
      metrics.windowGaps.inc();
    },
    alive,
    onError: (target: SamplerTarget, err: unknown) => {
      log.error({ err, targetPid: target.pid }, `internal error handling a window of pid ${String(target.pid)}: ${(err as Error).message}`);
    },
  };

  // --- discovery ------------------------------------------------------------------------
  const scan = (): void => {
    if (stopping) return;
    locate();
    let found: DiscoveredProcess[];
    try {
      found = scanner.scan();
    } catch (err) {
      if (once.first("scan")) log.error({ err, procDir: config.procDir }, `cannot scan ${config.procDir}: ${(err as Error).message}`);
      return;
    }
    const present = new Set(found.map((p) => p.key));
    for (const [key, sampler] of samplers) {
      // A running sampler's py-spy ends by itself when its process does (and reports the window).
      if (sampler.state === "finished" || (!present.has(key) && sampler.state !== "running")) {
        samplers.delete(key);
        if (!present.has(key)) {
          failures.forget(key);
          log.debug({ targetPid: sampler.target.pid, windows: sampler.windows }, `pid ${String(sampler.target.pid)} is gone`);
        }
      }
    }
    for (const key of skipped) if (!present.has(key)) skipped.delete(key);
    let unsupported = 0;
    let overLimit = 0;
    for (const p of found) {
      if (samplers.has(p.key) || skipped.has(p.key)) {
        if (skipped.has(p.key)) unsupported++;
        continue;
      }
      if (p.verdict === "unsupported") {
        skipped.add(p.key);
        unsupported++;
        const reason = p.python.kind === "unsupported" ? p.python.reason : "unsupported";
        if (once.first(`unsupported:${p.python.version}`)) {
          log.warn({ targetPid: p.pid, python: p.python.version }, `not profiling pid ${String(p.pid)} (${p.cmdline.join(" ").slice(0, 120)}): ${reason}`);
        }
        continue;
      }
      if (pySpy === undefined) continue;
      if (samplers.size >= config.maxProcesses) {
        overLimit++;
        if (once.first("max-processes")) log.warn({ maxProcesses: config.maxProcesses }, `more than ${String(config.maxProcesses)} Python processes: profiling the first ${String(config.maxProcesses)} (raise --max-processes)`);
        continue;
      }
      const target = samplerTarget(scanner.proc, p, config.maxLabels);
      const sampler = new ProcessSampler(target, hooks);
      samplers.set(p.key, sampler);
      log.info({ targetPid: p.pid, service: target.service, version: target.version, python: p.python.version }, `profiling pid ${String(p.pid)} as ${target.service}`);
      sampler.begin();
    }
    metrics.processesProfiled.set([...samplers.values()].filter((s) => s.state === "running").length);
    metrics.processesSkipped.set(unsupported, { reason: "unsupported" });
    metrics.processesSkipped.set(overLimit, { reason: "limit" });
    metrics.processesSkipped.set([...samplers.values()].filter((s) => s.state === "backoff").length, { reason: "backoff" });
  };

  // --- window boundaries ----------------------------------------------------------------
  let boundaryTimer: NodeJS.Timeout | undefined;
  let prepareTimer: NodeJS.Timeout | undefined;
  const minWindowMs = Math.min(2000, config.window / 4);
  const scheduleBoundary = (): void => {
    const at = nextBoundary(Date.now(), config.window);
    // The next windows' py-spy processes are spawned this long before the boundary (gated):
    // 1 s, more with many processes (each spawn blocks Node for ~10 ms), at most a quarter window.
    const prepareLeadMs = Math.min(config.window / 4, Math.max(1000, samplers.size * 40));
    const prepareIn = at - prepareLeadMs - Date.now();
    if (prepareIn > 0) {
      prepareTimer = setTimeout(() => {
        if (!stopping) for (const s of samplers.values()) s.prepare();
      }, prepareIn);
    }
    boundaryTimer = setTimeout(() => {
      if (stopping) return;
      const now = Date.now();
      let ticks = 0;
      let expected = 0;
      for (const s of samplers.values()) {
        s.rotate(now, minWindowMs);
        if (s.lastCoverage !== undefined) {
          ticks += s.lastCoverage;
          expected += 1;
        }
      }
      if (expected > 0) metrics.coverage.set(ticks / expected);
      scheduleBoundary();
    }, at - Date.now());
  };

  // --- control endpoint ------------------------------------------------------------------
  const targetOf = (pid: number): SamplerTarget | undefined => {
    for (const s of samplers.values()) if (s.target.pid === pid && s.state !== "finished" && alive(s.target)) return s.target;
    return undefined;
  };
  const profiledTargets = (): SamplerTarget[] => [...samplers.values()].filter((s) => s.state !== "finished").map((s) => s.target);
  const controlLog = root.child({ module: "control" });
  const captures = new CaptureService({
    host: config.host,
    limits: { maxDurationMs: config.captureMaxDuration, maxRateHz: config.captureMaxRate, maxConcurrent: config.captureMaxConcurrent },
    pySpy: () => pySpy,
    findTarget: targetOf,
    profiledPids: () => profiledTargets().map((t) => t.pid),
    outputPath: (pid) => join(workDir, `capture-${String(pid)}-${String(++runSeq)}.json`),
    deadlineMs: config.pySpyDeadline,
    maxMemoryBytes: config.pySpyMaxMemory,
    ptraceScope: scanner.proc.sysctl("kernel/yama/ptrace_scope"),
    publish: (profile) => {
      // Its own batch (not merged with continuous windows), so its acknowledgement can be awaited.
      const ids = publisher.enqueue(
        create(SampleBatchSchema, { batchId: randomUUID(), host: config.host, agentVersion: AGENT_VERSION, formatVersion: FORMAT_VERSION, profiles: [profile], part: 0, parts: 1 }),
      );
      return publisher.whenPublished(ids);
    },
    account: (output, built, pid) => accountOutput(output, built, pid),
    // Called only when a capture ends, long after `control` exists.
    notify: (captureId, reply) => {
      metrics.captures.inc({ outcome: reply.status === CaptureReply_Status.DONE ? "done" : "failed" });
      control.notify(captureId, reply);
    },
    log: controlLog,
  });
  const control = new ControlServer(
    config.host,
    {
      capture: (req) => {
        metrics.controlRequests.inc({ verb: "capture" });
        const reply = captures.handle(req);
        const refused: Partial<Record<CaptureReply_Status, string>> = { [CaptureReply_Status.NOT_FOUND]: "not_found", [CaptureReply_Status.BUSY]: "busy", [CaptureReply_Status.FAILED]: "refused" };
        const outcome = refused[reply.status];
        if (outcome !== undefined) metrics.captures.inc({ outcome });
        return reply;
      },
      dump: (req) => {
        metrics.controlRequests.inc({ verb: "dump" });
        return answerDump(req, { host: config.host, pySpy: () => pySpy, targets: profiledTargets, deadlineMs: config.dumpDeadline, procDir: config.procDir });
      },
      status: () => {
        metrics.controlRequests.inc({ verb: "status" });
        const st = status();
        return create(AgentStatusReplySchema, {
          host: st.host,
          agentVersion: st.agentVersion,
          mode: st.mode,
          processes: [...samplers.values()].map((sm) => ({
            pid: sm.target.pid,
            service: sm.target.service,
            version: sm.target.version,
            coverage: sm.lastCoverage ?? 0,
            state: sm.state,
            processStartUnixMs: BigInt(sm.target.startUnixMs),
            labels: sm.target.labels,
            windows: sm.windows,
          })),
          capturesRunning: captures.running,
          captureMaxConcurrent: config.captureMaxConcurrent,
          captureMaxDurationMs: config.captureMaxDuration,
          captureMaxRateHz: config.captureMaxRate,
          natsConnected: st.natsConnected,
        });
      },
    },
    controlLog,
  );
  publisher.onFirstConnect((nc) => control.attach(nc));

  const status = (): AgentStatus => ({
    host: config.host,
    agentVersion: AGENT_VERSION,
    mode: PROFILE_MODES[mode],
    pySpy,
    natsConnected: publisher.connected,
    spool: spool.stats(),
    processes: [...samplers.values()].map((s) => ({
      pid: s.target.pid,
      key: s.target.key,
      service: s.target.service,
      version: s.target.version,
      labels: s.target.labels,
      state: s.state,
      coverage: s.lastCoverage,
      windows: s.windows,
    })),
    capturesRunning: captures.running,
  });

  locate();
  scan();
  const scanTimer = setInterval(scan, config.interval);
  scheduleBoundary();

  let metricsServer: MetricsServer | undefined;
  if (config.metricsPort > 0) {
    try {
      metricsServer = await serveMetrics(metrics.registry, config.metricsPort, config.metricsHost);
      log.info({ port: metricsServer.port }, `metrics on http://${config.metricsHost}:${String(metricsServer.port)}/metrics`);
    } catch (err) {
      log.error({ err, port: config.metricsPort }, `cannot serve metrics on port ${String(config.metricsPort)}: ${(err as Error).message} (choose another --metrics-port)`);
    }
  }
  log.info({ host: config.host, window: config.window, rate: config.rate, mode, spool: spool.onDisk ? config.spoolDir : "memory" }, "agent started");

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      stopping = true;
      clearInterval(scanTimer);
      if (boundaryTimer !== undefined) clearTimeout(boundaryTimer);
      if (prepareTimer !== undefined) clearTimeout(prepareTimer);
      control.close();
      await Promise.all([captures.stop(STOP_DEADLINE_MS), ...[...samplers.values()].map((s) => s.finish(STOP_DEADLINE_MS))]);
      batcher.flush();
      await publisher.stop(STOP_DEADLINE_MS);
      await metricsServer?.close();
      rmSync(workDir, { recursive: true, force: true });
      log.info("agent stopped");
    })();
    return stopped;
  };

  return {
    host: config.host,
    config,
    metricsPort: metricsServer?.port,
    metrics,
    metricsText: () => metrics.registry.render(),
    scanNow: scan,
    stop,
    status,
  };
}
