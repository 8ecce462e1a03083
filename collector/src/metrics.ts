/** Prometheus metrics of a collector, in the text exposition format (no dependency needed). */
import { REJECT_REASONS } from "./ingest/validate.js";

const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export class Histogram {
  readonly counts = new Array<number>(BUCKETS.length).fill(0);
  sum = 0;
  count = 0;
  observe(v: number): void {
    this.sum += v;
    this.count++;
    for (let i = 0; i < BUCKETS.length; i++) if (v <= (BUCKETS[i] as number)) this.counts[i] = (this.counts[i] as number) + 1;
  }
}

export class CollectorMetrics {
  messagesIngested = 0;
  messagesDuplicate = 0;
  messagesRejected = 0;
  samples = 0;
  rows = 0;
  dictionaryRows = 0;
  redeliveries = 0;
  flushes = 0;
  insertFailures = 0;
  recoveredProfiles = 0;
  readonly rejected = new Map<string, number>(REJECT_REASONS.map((r) => [r, 0]));
  readonly insertSeconds = new Histogram();
  /** Messages in the stream not yet delivered to any collector (JetStream num_pending). */
  lagMessages = 0;
  /** Messages delivered and not acknowledged (JetStream num_ack_pending). */
  ackPending = 0;
  /** Age of the oldest message waiting in this collector, seconds. */
  oldestWaitingSeconds = 0;
  clickhouseUp = 1;
  natsUp = 1;

  reject(reason: string): void {
    this.messagesRejected++;
    this.rejected.set(reason, (this.rejected.get(reason) ?? 0) + 1);
  }

  render(): string {
    const out: string[] = [];
    const metric = (name: string, type: string, help: string, lines: string[]): void => {
      out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, ...lines);
    };
    metric("fleetprof_collector_messages_total", "counter", "Messages handled, by result.", [
      `fleetprof_collector_messages_total{result="ingested"} ${String(this.messagesIngested)}`,
      `fleetprof_collector_messages_total{result="duplicate"} ${String(this.messagesDuplicate)}`,
      `fleetprof_collector_messages_total{result="rejected"} ${String(this.messagesRejected)}`,
    ]);
    metric("fleetprof_collector_samples_total", "counter", "Samples written (sum of stack counts).", [`fleetprof_collector_samples_total ${String(this.samples)}`]);
    metric("fleetprof_collector_rows_total", "counter", "Rows written, by table.", [
      `fleetprof_collector_rows_total{table="samples"} ${String(this.rows)}`,
      `fleetprof_collector_rows_total{table="dictionaries"} ${String(this.dictionaryRows)}`,
    ]);
    metric("fleetprof_collector_rejected_total", "counter", "Messages dead-lettered, by reason.", [...this.rejected].map(([r, n]) => `fleetprof_collector_rejected_total{reason="${r}"} ${String(n)}`));
    metric("fleetprof_collector_redeliveries_total", "counter", "Messages JetStream delivered more than once.", [`fleetprof_collector_redeliveries_total ${String(this.redeliveries)}`]);
    metric("fleetprof_collector_recovered_profiles_total", "counter", "Profiles of redelivered batches found already stored (not written again).", [`fleetprof_collector_recovered_profiles_total ${String(this.recoveredProfiles)}`]);
    metric("fleetprof_collector_flushes_total", "counter", "Writes to ClickHouse.", [`fleetprof_collector_flushes_total ${String(this.flushes)}`]);
    metric("fleetprof_collector_insert_failures_total", "counter", "Failed write attempts (retried).", [`fleetprof_collector_insert_failures_total ${String(this.insertFailures)}`]);
    const h = this.insertSeconds;
    metric("fleetprof_collector_insert_seconds", "histogram", "Duration of one write (all tables).", [
      ...BUCKETS.map((b, i) => `fleetprof_collector_insert_seconds_bucket{le="${String(b)}"} ${String(h.counts[i])}`),
      `fleetprof_collector_insert_seconds_bucket{le="+Inf"} ${String(h.count)}`,
      `fleetprof_collector_insert_seconds_sum ${String(h.sum)}`,
      `fleetprof_collector_insert_seconds_count ${String(h.count)}`,
    ]);
    metric("fleetprof_collector_lag_messages", "gauge", "Messages in the stream not yet delivered to a collector.", [`fleetprof_collector_lag_messages ${String(this.lagMessages)}`]);
    metric("fleetprof_collector_ack_pending_messages", "gauge", "Messages delivered and not yet acknowledged.", [`fleetprof_collector_ack_pending_messages ${String(this.ackPending)}`]);
    metric("fleetprof_collector_oldest_waiting_seconds", "gauge", "Age of the oldest message waiting in this collector.", [`fleetprof_collector_oldest_waiting_seconds ${String(this.oldestWaitingSeconds)}`]);
    metric("fleetprof_collector_clickhouse_up", "gauge", "1 when the last write succeeded.", [`fleetprof_collector_clickhouse_up ${String(this.clickhouseUp)}`]);
    metric("fleetprof_collector_nats_up", "gauge", "1 while connected to NATS.", [`fleetprof_collector_nats_up ${String(this.natsUp)}`]);
    return out.join("\n") + "\n";
  }
}
