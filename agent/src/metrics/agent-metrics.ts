/** Every metric the agent exports, in one place (names are documented in agent/README.md). */
import { readFileSync } from "node:fs";
import { Registry, type Counter, type Gauge } from "@fleetprof/common";
import type { OutputCuts } from "../pyspy/output.js";

/** CPU of this process's exited, reaped children (cutime + cstime of /proc/self/stat): the py-spy runs. */
export function childrenCpuSeconds(): number | undefined {
  try {
    const stat = readFileSync("/proc/self/stat", "latin1");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // fields[0] is field 3: cutime is field 16, cstime field 17 (clock ticks, USER_HZ 100).
    return (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    return undefined;
  }
}

export class AgentMetrics {
  readonly registry = new Registry();
  readonly processesProfiled: Gauge;
  readonly processesSkipped: Gauge;
  readonly windows: Counter;
  readonly samples: Counter;
  readonly ticks: Counter;
  readonly ticksExpected: Counter;
  readonly coverage: Gauge;
  readonly windowGapSeconds: Counter;
  readonly windowGaps: Counter;
  readonly batches: Counter;
  readonly batchBytes: Counter;
  readonly publishErrors: Counter;
  readonly spoolBytes: Gauge;
  readonly spoolMessages: Gauge;
  readonly spoolDropped: Counter;
  readonly pySpyErrors: Counter;
  readonly pySpyCpuSeconds: Counter;
  readonly samplerErrors: Counter;
  readonly labelsTruncated: Counter;
  readonly natsConnected: Gauge;
  readonly parseErrors: Counter;
  readonly stacksTruncated: Counter;
  readonly framesCut: Counter;
  readonly namesTruncated: Counter;
  readonly samplesCapped: Counter;
  readonly samplesDropped: Counter;
  readonly outputBytesSkipped: Counter;
  readonly batchErrors: Counter;
  readonly controlRequests: Counter;
  readonly captures: Counter;

  constructor() {
    const r = this.registry;
    this.processesProfiled = r.gauge("fleetprof_agent_processes_profiled", "Python processes being sampled now");
    this.processesSkipped = r.gauge("fleetprof_agent_processes_skipped", "Python processes found but not sampled, by reason");
    this.windows = r.counter("fleetprof_agent_windows_total", "Sampling windows ended, by outcome (complete, partial, lost)");
    this.samples = r.counter("fleetprof_agent_samples_total", "Stack samples published (sum of stack counts)");
    this.ticks = r.counter("fleetprof_agent_sample_ticks_total", "Ticks sampled: rate x time from py-spy's first sample to the end of its window");
    this.ticksExpected = r.counter("fleetprof_agent_sample_ticks_expected_total", "Sampling ticks expected (rate x window length)");
    this.coverage = r.gauge("fleetprof_agent_coverage_ratio", "Ticks taken / ticks expected over the last round of windows");
    this.windowGapSeconds = r.counter("fleetprof_agent_window_gap_seconds_total", "Time between one window's py-spy stopping and the next one sampling");
    this.windowGaps = r.counter("fleetprof_agent_window_gaps_total", "Number of window hand-overs measured");
    this.batches = r.counter("fleetprof_agent_batches_published_total", "Batch messages acknowledged by JetStream (including duplicates)");
    this.batchBytes = r.counter("fleetprof_agent_batch_bytes_total", "Compressed bytes of acknowledged batch messages");
    this.publishErrors = r.counter("fleetprof_agent_publish_errors_total", "Failed publish attempts (the message stays in the spool)");
    this.spoolBytes = r.gauge("fleetprof_agent_spool_bytes", "Bytes waiting in the spool");
    this.spoolMessages = r.gauge("fleetprof_agent_spool_messages", "Messages waiting in the spool");
    this.spoolDropped = r.counter("fleetprof_agent_spool_dropped_total", "Messages dropped because the spool was full (oldest first)");
    this.pySpyErrors = r.counter("fleetprof_agent_py_spy_errors_total", "py-spy runs that failed, by kind");
    this.pySpyCpuSeconds = r.counter("fleetprof_agent_py_spy_cpu_seconds_total", "CPU time used by py-spy runs that have ended (the agent's reaped children)");
    this.samplerErrors = r.counter("fleetprof_agent_sampler_errors_total", "Errors py-spy reported while sampling");
    this.labelsTruncated = r.counter("fleetprof_agent_labels_truncated_total", "Labels dropped or cut to stay within bounds");
    this.natsConnected = r.gauge("fleetprof_agent_nats_connected", "1 while connected to NATS");
    this.parseErrors = r.counter(
      "fleetprof_agent_parse_errors_total",
      "py-spy outputs that could not be read whole (unreadable, over the byte budget, or over the stack budget)",
    );
    this.stacksTruncated = r.counter(
      "fleetprof_agent_stacks_truncated_total",
      "Stacks cut at the root end, by reason: depth (over the agent's depth limit) or payload (alone larger than NATS max_payload)",
    );
    this.framesCut = r.counter("fleetprof_agent_frames_cut_total", "Frames removed from stacks cut at the root end");
    this.namesTruncated = r.counter("fleetprof_agent_names_truncated_total", "Function, file and thread names shortened to the agent's byte limit");
    this.samplesCapped = r.counter(
      "fleetprof_agent_samples_capped_total",
      "Samples removed because a thread counted more than the window's rate and length allow",
    );
    this.samplesDropped = r.counter(
      "fleetprof_agent_samples_dropped_total",
      "Samples py-spy recorded that the agent could not keep (output over its byte or stack budget, or unreadable)",
    );
    this.outputBytesSkipped = r.counter(
      "fleetprof_agent_output_bytes_skipped_total",
      "Bytes of py-spy output not read because an output was over the byte budget",
    );
    this.batchErrors = r.counter("fleetprof_agent_batch_errors_total", "Batches that could not be split or spooled (dropped and logged)");
    this.controlRequests = r.counter("fleetprof_agent_control_requests_total", "Control requests answered, by verb (capture, dump, status)");
    this.captures = r.counter("fleetprof_agent_captures_total", "Capture requests by outcome (done, failed, not_found, busy, refused)");
    for (const reason of ["depth", "payload"]) this.stacksTruncated.inc({ reason }, 0);
    const cpu = r.counter("process_cpu_seconds_total", "CPU time of the agent's own process");
    const rss = r.gauge("process_resident_memory_bytes", "Resident memory of the agent's own process");
    r.onCollect(() => {
      const u = process.cpuUsage();
      cpu.setTotal((u.user + u.system) / 1e6);
      rss.set(process.memoryUsage.rss());
      const children = childrenCpuSeconds();
      if (children !== undefined) this.pySpyCpuSeconds.setTotal(children);
    });
  }

  /** Counts what reading one py-spy output and building its profile cut. */
  recordCuts(cuts: OutputCuts, samplesOverCap: number): void {
    this.stacksTruncated.inc({ reason: "depth" }, cuts.deepStacks);
    this.framesCut.inc({}, cuts.framesCut);
    this.namesTruncated.inc({}, cuts.names);
    this.samplesDropped.inc({}, cuts.samplesDropped);
    this.outputBytesSkipped.inc({}, cuts.bytesSkipped);
    this.samplesCapped.inc({}, samplesOverCap);
  }
}
