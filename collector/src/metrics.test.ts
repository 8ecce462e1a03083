import { readMetric } from "@fleetprof/common";
import { describe, expect, it } from "vitest";
import { REJECT_REASONS } from "./ingest/reject-reasons.js";
import { CollectorMetrics } from "./metrics.js";

const FAMILIES: [string, string][] = [
  ["fleetprof_collector_messages_total", "counter"],
  ["fleetprof_collector_samples_total", "counter"],
  ["fleetprof_collector_rows_total", "counter"],
  ["fleetprof_collector_rejected_total", "counter"],
  ["fleetprof_collector_redeliveries_total", "counter"],
  ["fleetprof_collector_recovered_profiles_total", "counter"],
  ["fleetprof_collector_flushes_total", "counter"],
  ["fleetprof_collector_insert_failures_total", "counter"],
  ["fleetprof_collector_write_splits_total", "counter"],
  ["fleetprof_collector_dead_letter_failures_total", "counter"],
  ["fleetprof_collector_insert_seconds", "histogram"],
  ["fleetprof_collector_lag_messages", "gauge"],
  ["fleetprof_collector_ack_pending_messages", "gauge"],
  ["fleetprof_collector_oldest_waiting_seconds", "gauge"],
  ["fleetprof_collector_clickhouse_up", "gauge"],
  ["fleetprof_collector_nats_up", "gauge"],
];

const BUCKETS = ["0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "30"];

describe("collector metrics", () => {
  it("shows every series at zero before anything happened (up gauges at 1), so rate() works from the first scrape", () => {
    const text = new CollectorMetrics().render();
    expect([...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1], m[2]])).toEqual(FAMILIES);
    for (const result of ["ingested", "duplicate", "rejected"]) expect(readMetric(text, "fleetprof_collector_messages_total", { result })).toBe(0);
    for (const reason of REJECT_REASONS) expect(readMetric(text, "fleetprof_collector_rejected_total", { reason }), reason).toBe(0);
    for (const le of [...BUCKETS, "+Inf"]) expect(readMetric(text, "fleetprof_collector_insert_seconds_bucket", { le }), le).toBe(0);
    expect(readMetric(text, "fleetprof_collector_insert_seconds_count")).toBe(0);
    expect(readMetric(text, "fleetprof_collector_clickhouse_up")).toBe(1);
    expect(readMetric(text, "fleetprof_collector_nats_up")).toBe(1);
  });

  it("renders the values of a known sequence of updates under every metric name", () => {
    const m = new CollectorMetrics();
    m.messagesIngested += 30;
    m.messagesDuplicate += 2;
    m.reject("invalid_time");
    m.reject("invalid_time");
    m.reject("undecodable");
    m.samples += 1234;
    m.rows += 100;
    m.dictionaryRows += 7;
    m.redeliveries++;
    m.recoveredProfiles += 5;
    m.flushes += 4;
    m.insertFailures += 2;
    m.writeBisections += 3;
    m.deadLetterFailures += 1;
    m.reject("max_deliver");
    for (const s of [0.005, 0.02, 0.25, 0.5, 45]) m.insertSeconds.observe(s);
    m.lagMessages = 11;
    m.ackPending = 6;
    m.oldestWaitingSeconds = 1.5;
    m.clickhouseUp = 0;
    m.natsUp = 0;
    const text = m.render();

    const expected: [string, Record<string, string>, number][] = [
      ["fleetprof_collector_messages_total", { result: "ingested" }, 30],
      ["fleetprof_collector_messages_total", { result: "duplicate" }, 2],
      ["fleetprof_collector_messages_total", { result: "rejected" }, 4],
      ["fleetprof_collector_samples_total", {}, 1234],
      ["fleetprof_collector_rows_total", { table: "samples" }, 100],
      ["fleetprof_collector_rows_total", { table: "dictionaries" }, 7],
      ["fleetprof_collector_rejected_total", { reason: "invalid_time" }, 2],
      ["fleetprof_collector_rejected_total", { reason: "undecodable" }, 1],
      ["fleetprof_collector_rejected_total", { reason: "invalid_count" }, 0],
      ["fleetprof_collector_redeliveries_total", {}, 1],
      ["fleetprof_collector_recovered_profiles_total", {}, 5],
      ["fleetprof_collector_flushes_total", {}, 4],
      ["fleetprof_collector_insert_failures_total", {}, 2],
      ["fleetprof_collector_write_splits_total", {}, 3],
      ["fleetprof_collector_dead_letter_failures_total", {}, 1],
      ["fleetprof_collector_rejected_total", { reason: "max_deliver" }, 1],
      ["fleetprof_collector_insert_seconds_bucket", { le: "0.005" }, 1],
      ["fleetprof_collector_insert_seconds_bucket", { le: "0.01" }, 1],
      ["fleetprof_collector_insert_seconds_bucket", { le: "0.025" }, 2],
      ["fleetprof_collector_insert_seconds_bucket", { le: "0.25" }, 3],
      ["fleetprof_collector_insert_seconds_bucket", { le: "0.5" }, 4],
      ["fleetprof_collector_insert_seconds_bucket", { le: "30" }, 4],
      ["fleetprof_collector_insert_seconds_bucket", { le: "+Inf" }, 5],
      ["fleetprof_collector_insert_seconds_sum", {}, 45.775],
      ["fleetprof_collector_insert_seconds_count", {}, 5],
      ["fleetprof_collector_lag_messages", {}, 11],
      ["fleetprof_collector_ack_pending_messages", {}, 6],
      ["fleetprof_collector_oldest_waiting_seconds", {}, 1.5],
      ["fleetprof_collector_clickhouse_up", {}, 0],
      ["fleetprof_collector_nats_up", {}, 0],
    ];
    for (const [name, labels, value] of expected) expect(readMetric(text, name, labels), `${name} ${JSON.stringify(labels)}`).toBeCloseTo(value, 9);
    // the line the integration test and dashboards grep for, verbatim
    expect(text).toContain('fleetprof_collector_messages_total{result="ingested"} 30\n');
    expect(text).toContain("# HELP fleetprof_collector_insert_seconds Duration of one write (all tables).\n");
    expect(m.rejected.get("invalid_time")).toBe(2);
  });
});
