/**
 * Prometheus metrics of a collector, on the shared registry. The write path updates plain fields
 * (no lookup per message); the registry reads them when /metrics is scraped.
 */
import { Registry, type HistogramSeries } from "@fleetprof/common";
import { REJECT_REASONS } from "./ingest/reject-reasons.js";

/** Upper bounds of the write-duration buckets, seconds. */
const INSERT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

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
  /** Writes split in halves after ClickHouse refused their rows for good. */
  writeBisections = 0;
  /** Failed attempts to publish a dead-letter copy (retried; the message is held meanwhile). */
  deadLetterFailures = 0;
  readonly rejected = new Map<string, number>(REJECT_REASONS.map((r) => [r, 0]));
  readonly insertSeconds: HistogramSeries;
  /** Messages in the stream not yet delivered to any collector (JetStream num_pending). */
  lagMessages = 0;
  /** Messages delivered and not acknowledged (JetStream num_ack_pending). */
  ackPending = 0;
  /** Age of the oldest message waiting in this collector, seconds. */
  oldestWaitingSeconds = 0;
  clickhouseUp = 1;
  natsUp = 1;
  readonly #registry = new Registry();

  constructor() {
    const r = this.#registry;
    const messages = r.counter("fleetprof_collector_messages_total", "Messages handled, by result.");
    const samples = r.counter("fleetprof_collector_samples_total", "Samples written (sum of stack counts).");
    const rows = r.counter("fleetprof_collector_rows_total", "Rows written, by table.");
    const rejected = r.counter("fleetprof_collector_rejected_total", "Messages dead-lettered, by reason.");
    const redeliveries = r.counter("fleetprof_collector_redeliveries_total", "Messages JetStream delivered more than once.");
    const recovered = r.counter("fleetprof_collector_recovered_profiles_total", "Profiles of redelivered batches found already stored (not written again).");
    const flushes = r.counter("fleetprof_collector_flushes_total", "Writes to ClickHouse.");
    const failures = r.counter(
      "fleetprof_collector_insert_failures_total",
      "Failed write attempts (retried, or bisected when ClickHouse refuses the rows for good).",
    );
    const splits = r.counter("fleetprof_collector_write_splits_total", "Writes split in halves to isolate batches ClickHouse refuses for good.");
    const dlqFailures = r.counter(
      "fleetprof_collector_dead_letter_failures_total",
      "Failed attempts to publish a dead-letter copy (retried; the message is held meanwhile).",
    );
    // the series exists from the start, so a scrape before the first write shows zeros
    this.insertSeconds = r.histogram("fleetprof_collector_insert_seconds", "Duration of one write (all tables).", INSERT_BUCKETS).labels();
    const lag = r.gauge("fleetprof_collector_lag_messages", "Messages in the stream not yet delivered to a collector.");
    const ackPending = r.gauge("fleetprof_collector_ack_pending_messages", "Messages delivered and not yet acknowledged.");
    const oldest = r.gauge("fleetprof_collector_oldest_waiting_seconds", "Age of the oldest message waiting in this collector.");
    const clickhouseUp = r.gauge("fleetprof_collector_clickhouse_up", "1 when the last write succeeded.");
    const natsUp = r.gauge("fleetprof_collector_nats_up", "1 while connected to NATS.");
    r.onCollect(() => {
      messages.setTotal(this.messagesIngested, { result: "ingested" });
      messages.setTotal(this.messagesDuplicate, { result: "duplicate" });
      messages.setTotal(this.messagesRejected, { result: "rejected" });
      samples.setTotal(this.samples);
      rows.setTotal(this.rows, { table: "samples" });
      rows.setTotal(this.dictionaryRows, { table: "dictionaries" });
      for (const [reason, n] of this.rejected) rejected.setTotal(n, { reason });
      redeliveries.setTotal(this.redeliveries);
      recovered.setTotal(this.recoveredProfiles);
      flushes.setTotal(this.flushes);
      failures.setTotal(this.insertFailures);
      splits.setTotal(this.writeBisections);
      dlqFailures.setTotal(this.deadLetterFailures);
      lag.set(this.lagMessages);
      ackPending.set(this.ackPending);
      oldest.set(this.oldestWaitingSeconds);
      clickhouseUp.set(this.clickhouseUp);
      natsUp.set(this.natsUp);
    });
  }

  reject(reason: string): void {
    this.messagesRejected++;
    this.rejected.set(reason, (this.rejected.get(reason) ?? 0) + 1);
  }

  /** Prometheus text exposition of every metric. */
  render(): string {
    return this.#registry.render();
  }
}
