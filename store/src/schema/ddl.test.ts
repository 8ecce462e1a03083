import { describe, expect, it } from "vitest";
import { clusterSchemaDdl } from "./cluster-ddl.js";
import { schemaDdl } from "./ddl.js";
import { ttlFromMs } from "./identifiers.js";

const ttl = ttlFromMs({ raw: 7 * 86_400_000, rollup1m: 30 * 86_400_000, rollup1h: 365 * 86_400_000 });

describe("single-node DDL", () => {
  const ddl = schemaDdl({ database: "fleetprof", ttl });
  const find = (needle: string): string => ddl.find((s) => s.includes(needle)) ?? "";

  it("creates every table and view idempotently, views last", () => {
    expect(ddl[0]).toBe("CREATE DATABASE IF NOT EXISTS `fleetprof`");
    for (const s of ddl) expect(s).toMatch(/IF NOT EXISTS/);
    const names = ddl.map((s) => /EXISTS `fleetprof`\.(\w+)/.exec(s)?.[1]);
    expect(names.slice(1)).toEqual([
      "frames",
      "stacks",
      "samples_ingest",
      "samples",
      "samples_1m",
      "samples_1h",
      "ingested_batches",
      "process_windows",
      "process_windows_1h",
      "samples_1m_mv",
      "samples_1h_mv",
      "samples_mv",
    ]);
  });

  it("partitions raw samples by day with the raw TTL, rollups summing with longer TTLs", () => {
    expect(find("`fleetprof`.samples\n")).toMatch(
      /ENGINE = MergeTree\(\)\nPARTITION BY toDate\(time\)\nORDER BY \(service, version, toStartOfTenMinutes\(time\), stack_id, time, host, pid\)\nTTL time \+ toIntervalSecond\(604800\)/,
    );
    expect(find("`fleetprof`.samples_1m\n")).toMatch(/SummingMergeTree\(count\)[\s\S]*TTL time \+ toIntervalSecond\(2592000\)/);
    expect(find("`fleetprof`.samples_1h\n")).toMatch(/SummingMergeTree\(count\)[\s\S]*TTL time \+ toIntervalSecond\(31536000\)/);
    expect(find("`fleetprof`.stacks\n")).toMatch(/ReplacingMergeTree\(last_seen\)\nORDER BY stack_id/);
    expect(find("samples_ingest\n")).toMatch(/ENGINE = Null\n?$/);
  });

  it("refuses database names that are not plain identifiers", () => {
    expect(() => schemaDdl({ database: "x`; DROP TABLE y", ttl })).toThrow(/not a plain identifier/);
  });
});

describe("cluster DDL", () => {
  const ddl = clusterSchemaDdl({ database: "fleetprof", cluster: "prod", ttl });
  const find = (needle: string): string => ddl.find((s) => s.includes(needle)) ?? "";

  it("runs every statement ON CLUSTER", () => {
    for (const s of ddl) expect(s).toContain("ON CLUSTER `prod`");
  });

  it("uses Replicated engines for local tables, with shard and replica macros", () => {
    expect(find("`fleetprof`.samples_local ON")).toContain("ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/fleetprof/samples_local', '{replica}')");
    expect(find("`fleetprof`.samples_1m_local ON")).toContain(
      "ReplicatedSummingMergeTree('/clickhouse/tables/{shard}/fleetprof/samples_1m_local', '{replica}', count)",
    );
    expect(find("`fleetprof`.stacks_local ON")).toContain(
      "ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/fleetprof/stacks_local', '{replica}', last_seen)",
    );
  });

  it("shards samples, rollups and stacks by stack_id so a stack meets its samples", () => {
    for (const t of ["samples", "samples_1m", "samples_1h", "stacks"]) {
      expect(find(`\`fleetprof\`.${t} ON CLUSTER`)).toContain(`ENGINE = Distributed(\`prod\`, \`fleetprof\`, ${t}_local, stack_id)`);
    }
    expect(find("`fleetprof`.frames ON CLUSTER")).toContain("Distributed(`prod`, `fleetprof`, frames_local, frame_id)");
  });

  it("keeps ingest staging local and routes its rows, raw and summed, through the Distributed tables", () => {
    expect(find("samples_ingest ON CLUSTER")).toContain("ENGINE = Null");
    expect(ddl.some((s) => /samples_ingest\b(?!_)[\s\S]*Distributed/.test(s) && s.startsWith("CREATE TABLE"))).toBe(false);
    expect(find("samples_mv ON CLUSTER")).toContain("TO `fleetprof`.samples\n");
    expect(find("samples_mv ON CLUSTER")).toContain("FROM `fleetprof`.samples_ingest");
    for (const t of ["samples_1m", "samples_1h"]) {
      expect(find(`${t}_mv ON CLUSTER`)).toContain(`TO \`fleetprof\`.${t}\n`);
      expect(find(`${t}_mv ON CLUSTER`)).toContain("FROM `fleetprof`.samples_ingest");
    }
  });
});
