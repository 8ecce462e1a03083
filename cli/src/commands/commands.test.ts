import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create } from "@bufbuild/protobuf";
import {
  DiffFlameGraphResponseSchema,
  DiffTopFunctionsResponseSchema,
  ExportFormat,
  ExportResponseSchema,
  FlameGraphResponseSchema,
  ListLabelNamesResponseSchema,
  ListLabelValuesResponseSchema,
  ListServicesResponseSchema,
  QueryServiceCaptureResponseSchema,
  QueryServiceDumpResponseSchema,
  TimeSeriesResponseSchema,
  TopFunctionsResponseSchema,
  SortBy,
  VersionReportResponseSchema,
} from "@fleetprof/proto";
import { describe, expect, it } from "vitest";
import { buildFlameGraph } from "../../test/flame-fixture.js";
import type { QueryClient } from "../client/query-client.js";
import type { Io } from "../io.js";
import { main } from "../main.js";

const NOW = Date.parse("2026-11-25T12:00:00Z");

interface Run {
  code: number;
  out: string;
  err: string;
  calls: { method: string; request: Record<string, unknown> }[];
  connections: unknown[];
}

function fakeClient(calls: Run["calls"], overrides: Partial<QueryClient> = {}): QueryClient {
  const record =
    <T>(method: string, value: T) =>
    (request: unknown): Promise<T> => {
      calls.push({ method, request: request as Record<string, unknown> });
      return Promise.resolve(value);
    };
  const graph = buildFlameGraph({ "main@app.py:1;work@app.py:5": 70, "main@app.py:1;wait@app.py:9": 30 });
  const diff = buildFlameGraph({ "main;work": 80, "main;wait": 20 }, { base: { "main;work": 50, "main;wait": 50 } });
  return {
    listServices: record(
      "listServices",
      create(ListServicesResponseSchema, {
        services: [
          { name: "small", versions: ["1"], samples: 10n, hosts: 1 },
          { name: "shop", versions: ["1.0", "2.0"], samples: 12_345n, hosts: 2 },
        ],
      }),
    ),
    listLabelNames: record("listLabelNames", create(ListLabelNamesResponseSchema, { names: ["service", "version", "host"] })),
    listLabelValues: record("listLabelValues", create(ListLabelValuesResponseSchema, { values: ["1.0", "2.0"], truncated: true })),
    flameGraph: record("flameGraph", create(FlameGraphResponseSchema, { flameGraph: graph })),
    diffFlameGraph: record("diffFlameGraph", create(DiffFlameGraphResponseSchema, { flameGraph: diff })),
    topFunctions: record(
      "topFunctions",
      create(TopFunctionsResponseSchema, {
        total: 100n,
        functions: [{ function: "work", file: "app.py", self: 70n, total: 70n, selfShare: 0.7, totalShare: 0.7 }],
      }),
    ),
    diffTopFunctions: record(
      "diffTopFunctions",
      create(DiffTopFunctionsResponseSchema, {
        baseTotal: 100n,
        total: 100n,
        regressions: [
          {
            function: "work",
            file: "app.py",
            baseSelf: 50n,
            self: 80n,
            baseSelfShare: 0.5,
            selfShare: 0.8,
            deltaShare: 0.3,
            ciLow: 0.25,
            ciHigh: 0.35,
            significant: true,
            tested: true,
          },
        ],
        improvements: [
          {
            function: "wait",
            file: "app.py",
            baseSelf: 50n,
            self: 20n,
            baseSelfShare: 0.5,
            selfShare: 0.2,
            deltaShare: -0.3,
            ciLow: -0.5,
            ciHigh: 0.1,
            tested: true,
          },
        ],
        statistics: {
          baseReplicates: 40,
          replicates: 42,
          baseProcesses: 4,
          processes: 4,
          functionsTested: 2,
          functionsSignificant: 1,
          minDetectableShare: 0.004,
          significanceAvailable: true,
          fdr: 0.05,
          replicateUnit: "process-minute",
        },
        cost: {
          available: true,
          unit: "CPU seconds",
          baseCores: 0.4,
          cores: 0.5,
          deltaCores: 0.1,
          ciLow: 0.05,
          ciHigh: 0.15,
          relativeChange: 0.25,
          relativeCiLow: 0.12,
          relativeCiHigh: 0.4,
          significant: true,
        },
        basis: { baseMode: "cpu", mode: "cpu", baseRatesHz: [100], ratesHz: [100], note: "both sides cpu at 100 Hz: shares compared directly" },
      }),
    ),
    versionReport: record(
      "versionReport",
      create(VersionReportResponseSchema, {
        service: "shop",
        baseVersion: "1.0",
        version: "2.0",
        baseRange: { startUnixMs: BigInt(NOW - 3_600_000), endUnixMs: BigInt(NOW - 1_800_000) },
        range: { startUnixMs: BigInt(NOW - 1_800_000), endUnixMs: BigInt(NOW) },
        diff: {
          sort: SortBy.TOTAL,
          baseTotal: 1000n,
          total: 1200n,
          regressions: [
            {
              function: "compute_prices",
              file: "shop.py",
              baseTotalShare: 0.25,
              totalShare: 0.4,
              deltaShare: 0.15,
              ciLow: 0.12,
              ciHigh: 0.18,
              significant: true,
            },
          ],
          statistics: {
            baseReplicates: 90,
            replicates: 90,
            baseProcesses: 3,
            processes: 3,
            functionsTested: 20,
            functionsSignificant: 1,
            fdr: 0.05,
            significanceAvailable: true,
          },
          cost: {
            available: true,
            unit: "CPU seconds",
            baseCores: 0.5,
            cores: 0.65,
            relativeChange: 0.3,
            relativeCiLow: 0.2,
            relativeCiHigh: 0.4,
            deltaCores: 0.15,
            significant: true,
          },
        },
        newFunctions: [{ function: "apply_tax_rules", file: "shop.py", totalShare: 0.04, selfShare: 0.04 }],
        goneFunctions: [{ function: "hash_key", file: "shop.py", baseTotalShare: 0.015, baseSelfShare: 0.015 }],
        flameGraph: diff,
      }),
    ),
    timeSeries: record(
      "timeSeries",
      create(TimeSeriesResponseSchema, {
        stepMs: 60_000n,
        series: [
          {
            group: "1.0",
            total: 30n,
            points: [
              { timeUnixMs: BigInt(NOW - 120_000), samples: 10n },
              { timeUnixMs: BigInt(NOW - 60_000), samples: 20n },
            ],
          },
          { group: "2.0", total: 40n, points: [{ timeUnixMs: BigInt(NOW - 60_000), samples: 40n }] },
        ],
      }),
    ),
    export: record("export", create(ExportResponseSchema, { data: new TextEncoder().encode("main;work 70\n"), contentType: "text/plain", fileSuffix: ".txt" })),
    dump: record(
      "dump",
      create(QueryServiceDumpResponseSchema, {
        threads: 3,
        groups: [
          {
            frames: [
              { function: "main", file: "app.py", line: 1 },
              { function: "work", file: "app.py", line: 5 },
            ],
            threads: 2,
            active: 2,
            ownsGil: 1,
            members: [
              { host: "h1", pid: 10, service: "shop", threadId: 1n, threadName: "MainThread", active: true, ownsGil: true },
              { host: "h2", pid: 20, service: "shop", threadId: 2n, threadName: "MainThread", active: true },
            ],
          },
          {
            frames: [
              { function: "main", file: "app.py", line: 1 },
              { function: "wait_for_lock", file: "app.py", line: 9 },
            ],
            threads: 1,
            members: [{ host: "h1", pid: 30, service: "shop", threadId: 3n, threadName: "MainThread" }],
          },
        ],
        processes: [
          { host: "h1", pid: 10, service: "shop", version: "1.0", threads: [{ threadId: 1n, name: "MainThread", active: true, ownsGil: true, group: 0 }] },
          { host: "h1", pid: 30, service: "shop", version: "1.0", threads: [{ threadId: 3n, name: "MainThread", group: 1 }] },
          { host: "h2", pid: 20, service: "shop", version: "1.0", threads: [{ threadId: 2n, name: "MainThread", active: true, group: 0 }] },
          { host: "h2", pid: 21, service: "shop", version: "1.0", error: "process 21 is gone", errorKind: "gone" },
        ],
        unanswered: [{ host: "h3", kind: "timeout", reason: "the agent on h3 did not answer within 10000ms" }],
      }),
    ),
    capture: (request: unknown) => {
      calls.push({ method: "capture", request: request as Record<string, unknown> });
      return (async function* () {
        yield create(QueryServiceCaptureResponseSchema, {
          captureId: "c1",
          event: { case: "progress", value: { stage: "started", host: "h1", pid: 10, service: "shop", rateHz: 500, durationMs: 3000 } },
        });
        yield create(QueryServiceCaptureResponseSchema, { captureId: "c1", event: { case: "progress", value: { stage: "stored", samples: 100n } } });
        yield create(QueryServiceCaptureResponseSchema, { captureId: "c1", event: { case: "flameGraph", value: graph } });
      })();
    },
    close: () => undefined,
    ...overrides,
  };
}

async function run(argv: string[], options: { cwd?: string; env?: Record<string, string>; overrides?: Partial<QueryClient> } = {}): Promise<Run> {
  let out = "";
  let err = "";
  const calls: Run["calls"] = [];
  const connections: unknown[] = [];
  const io: Io = {
    stdout: { write: (s: string | Uint8Array) => (out += typeof s === "string" ? s : new TextDecoder().decode(s)) },
    stderr: { write: (s: string | Uint8Array) => (err += String(s)) },
    env: options.env ?? {},
    cwd: options.cwd ?? tmpdir(),
    now: () => NOW,
  };
  const code = await main(argv, {
    io,
    connect: (c) => {
      connections.push(c);
      return Promise.resolve(fakeClient(calls, options.overrides));
    },
  });
  return { code, out, err, calls, connections };
}

describe("fleetprof dispatcher", () => {
  it("lists commands and prints per-command help from the option schema", async () => {
    const top = await run(["--help"]);
    expect(top.code).toBe(0);
    expect(top.out).toMatch(/up\s+Run the whole stack/);
    expect(top.out).toMatch(/diff\s+Diff flame graph/);
    const help = await run(["flame", "--help"]);
    expect(help.out).toContain("Usage: fleetprof flame <selector>");
    expect(help.out).toMatch(/--since <string>.*\[FLEETPROF_SINCE\]/);
    expect(help.out).toMatch(/--api <string>.*default: 127\.0\.0\.1:\d+/);
    expect(help.out).toContain("Examples:");
  });

  it("says what is wrong in one line and exits non-zero", async () => {
    const unknown = await run(["flme"]);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/unknown command "flme"/);
    const missing = await run(["flame"]);
    expect(missing.code).toBe(2);
    expect(missing.err).toBe("fleetprof flame: missing a selector: fleetprof flame <selector> [--since 1h] [--until now] [-o FILE]\n");
    const badFlag = await run(["flame", "shop", "--sinse", "1h"]);
    expect(badFlag.err).toMatch(/unknown option --sinse/);
    const badTime = await run(["flame", "shop", "--since", "yesterday"]);
    expect(badTime.err).toMatch(/"yesterday" is not a time/);
  });
});

describe("client commands", () => {
  it("services: a table, largest first; --json for scripts", async () => {
    const r = await run(["services", "--since", "2h"]);
    expect(r.code).toBe(0);
    expect(r.out.split("\n")[1]).toMatch(/^shop\s+12,345\s+2\s+1\.0, 2\.0$/);
    expect(r.calls[0]?.request).toEqual({ range: { startUnixMs: BigInt(NOW - 7_200_000), endUnixMs: BigInt(NOW) } });
    const j = await run(["services", "--json"]);
    expect(JSON.parse(j.out)).toMatchObject({ services: [{ name: "small" }, { name: "shop", samples: "12345" }] });
  });

  it("labels: names, or values of one label with the shorthand selector", async () => {
    expect((await run(["labels"])).out).toBe("service\nversion\nhost\n");
    const r = await run(["labels", "version", "--selector", "shop"]);
    expect(r.out).toBe("1.0\n2.0\n");
    expect(r.err).toMatch(/more values exist/);
    expect(r.calls[0]?.request).toMatchObject({ name: "version", selector: '{service="shop"}' });
  });

  it("flame: a tree on the terminal, expanding the selector and the time range", async () => {
    const r = await run(["flame", "shop@2.0", "--since", "15m", "--api", "h:1", "--token", "s3cret", "--tls"]);
    expect(r.code).toBe(0);
    expect(r.calls[0]?.request).toMatchObject({
      selector: '{service="shop", version="2.0"}',
      range: { startUnixMs: BigInt(NOW - 900_000), endUnixMs: BigInt(NOW) },
    });
    expect(r.connections[0]).toMatchObject({ api: "h:1", token: "s3cret", tls: true });
    expect(r.out).toMatch(/70\.0%\s+70\.0%\s+70\s+.*work {2}app\.py:5/);
  });

  it("flame -o picks the format by file name", async () => {
    const dir = mkdtempSync(join(tmpdir(), "fleetprof-cli-"));
    const html = await run(["flame", "shop", "-o", "shop.html"], { cwd: dir });
    expect(html.out).toMatch(/^wrote .*shop\.html \(html, [\d.]+ KiB, 4 frames, 100 samples\)/);
    expect(readFileSync(join(dir, "shop.html"), "utf8")).toMatch(/^<!doctype html>/);
    const svg = await run(["flame", "shop", "-o", "shop.svg"], { cwd: dir });
    expect(svg.code).toBe(0);
    expect(readFileSync(join(dir, "shop.svg"), "utf8")).toMatch(/^<svg /);
    const txt = await run(["flame", "shop", "-o", "stacks.txt"], { cwd: dir });
    expect(txt.calls[0]?.method).toBe("export");
    expect(txt.calls[0]?.request).toMatchObject({ format: ExportFormat.COLLAPSED });
    expect(readFileSync(join(dir, "stacks.txt"), "utf8")).toBe("main;work 70\n");
    const pprof = await run(["flame", "shop", "--format", "pprof", "-o", "p.out"], { cwd: dir });
    expect(pprof.calls[0]?.request).toMatchObject({ format: ExportFormat.PPROF });
    const json = await run(["flame", "shop", "--json"]);
    expect(JSON.parse(json.out)).toMatchObject({ total: "100", nodes: expect.any(Array) as unknown });
  });

  it("--format without -o writes to stdout, but no binary to a terminal", async () => {
    const svg = await run(["flame", "shop", "--format", "svg"]);
    expect(svg.out).toMatch(/^<svg /);
    let out = "";
    const code = await main(["flame", "shop", "--format", "pprof"], {
      io: {
        stdout: { write: (s: string | Uint8Array) => (out += String(s)), isTTY: true },
        stderr: { write: (s: string | Uint8Array) => (out += String(s)) },
        env: {},
        cwd: tmpdir(),
        now: () => NOW,
      },
      connect: () => Promise.resolve(fakeClient([])),
    });
    expect(code).toBe(2);
    expect(out).toBe("fleetprof flame: not writing binary data to a terminal: pass -o FILE or redirect stdout\n");
  });

  it("diff: both selectors, optional baseline range, HTML by file name", async () => {
    const dir = mkdtempSync(join(tmpdir(), "fleetprof-cli-"));
    const r = await run(["diff", "shop@1.0", "shop@2.0", "--base-since", "2h", "--base-until", "1h", "-o", "d.html"], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.calls[0]?.request).toMatchObject({
      baseSelector: '{service="shop", version="1.0"}',
      selector: '{service="shop", version="2.0"}',
      baseRange: { startUnixMs: BigInt(NOW - 7_200_000), endUnixMs: BigInt(NOW - 3_600_000) },
    });
    expect(r.out).toMatch(/wrote .*d\.html \(html, .*100 → 100 samples\)/);
    const tree = await run(["diff", "shop@1.0", "shop@2.0"]);
    expect(tree.out).toMatch(/50\.0%\s+80\.0%\s+\+30\.00 pp\s+.*work/);
    const pprof = await run(["diff", "a", "b", "-o", "x.pb.gz"]);
    expect(pprof.code).toBe(2);
    expect(pprof.err).toMatch(/a diff cannot be written as pprof/);
  });

  it("top and top --diff", async () => {
    const r = await run(["top", "shop"]);
    expect(r.out).toMatch(/SELF\s+SELF %\s+TOTAL\s+TOTAL %\s+FUNCTION\s+FILE\n\s*70\s+70\.0%\s+70\s+70\.0%\s+work\s+app\.py/);
    const d = await run(["top", "shop@2.0", "--diff", "shop@1.0"]);
    expect(d.calls[0]?.request).toMatchObject({
      baseSelector: '{service="shop", version="1.0"}',
      selector: '{service="shop", version="2.0"}',
      sort: SortBy.SELF,
      significantOnly: false,
    });
    expect(d.out).toMatch(/0\.400 → 0\.500 cores per process \(\+25 % \[\+12 %, \+40 %\]\): significantly more/);
    expect(d.out).toMatch(
      /40 → 42 process-minutes \(4 → 4 processes\); \* = significant at a 5 % false discovery rate over 2 functions tested; changes under ±0\.40 pp/,
    );
    expect(d.out).toMatch(
      /Regressions \(share of self time grew\)\n[^\n]*95 % INTERVAL[^\n]*\n\*\s+50\.0%\s+80\.0%\s+\+30\.00 pp\s+\[\+25\.00, \+35\.00\] pp\s+work/,
    );
    expect(d.out).toMatch(/Improvements[^\n]*\n[^\n]*\n\s+50\.0%\s+20\.0%\s+-30\.00 pp\s+\[-50\.00, \+10\.00\] pp\s+wait/);
    const t = await run(["top", "shop@2.0", "--diff", "shop@1.0", "--sort", "total", "--significant"]);
    expect(t.calls[0]?.request).toMatchObject({ sort: SortBy.TOTAL, significantOnly: true });
  });

  it("report: text, JSON and an HTML page with the diff flame graph", async () => {
    const r = await run(["report", "shop", "--duration", "30m"]);
    expect(r.code).toBe(0);
    expect(r.calls[0]?.request).toMatchObject({ service: "shop", durationMs: 1_800_000n, sort: SortBy.TOTAL, version: "", baseVersion: "" });
    expect(r.out).toMatch(/^shop: 2\.0 against 1\.0 \(the newest version against the previous one\), 30 min each\n/);
    expect(r.out).toMatch(/0\.500 → 0\.650 cores per process \(\+30 % \[\+20 %, \+40 %\]\): significantly more/);
    expect(r.out).toMatch(
      /Significant regressions \(share of total time grew\)\n[^\n]*\n\*\s+25\.0%\s+40\.0%\s+\+15\.00 pp\s+\[\+12\.00, \+18\.00\] pp\s+compute_prices/,
    );
    expect(r.out).toMatch(/New in 2\.0 \(not seen in 1\.0\)\n[^\n]*\n\s*4\.00%\s+4\.00%\s+apply_tax_rules/);
    expect(r.out).toMatch(/Gone since 1\.0 \(not seen in 2\.0\)\n[^\n]*\n\s*1\.50%\s+1\.50%\s+hash_key/);
    const named = await run(["report", "shop", "--version", "2.0", "--base-version", "1.0", "--selector", '{region="eu"}', "--sort", "self"]);
    expect(named.calls[0]?.request).toMatchObject({ version: "2.0", baseVersion: "1.0", selector: '{region="eu"}', sort: SortBy.SELF });
    expect(named.out).toMatch(/^shop: 2\.0 against 1\.0, 30 min each/);
    const j = await run(["report", "shop", "--json"]);
    expect(JSON.parse(j.out)).toMatchObject({ service: "shop", baseVersion: "1.0", version: "2.0" });
    const dir = mkdtempSync(join(tmpdir(), "fleetprof-report-"));
    const h = await run(["report", "shop", "-o", "report.html"], { cwd: dir });
    expect(h.out).toMatch(/wrote .*report\.html \(html, .*2\.0 against 1\.0\)/);
    const html = readFileSync(join(dir, "report.html"), "utf8");
    expect(html).toContain('<section id="report">');
    expect(html).toMatch(/compute_prices<\/td><td>25\.0%<\/td><td>40\.0%<\/td><td class="up">\+15\.00 pp/);
    expect(html).toContain('id="flame-data"');
    const bad = await run(["report", "shop", "-o", "report.svg"]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/a report is written as HTML/);
  });

  it("series: sparkline per group, or a table", async () => {
    const r = await run(["series", "shop", "--step", "1m", "--by", "version"]);
    expect(r.calls[0]?.request).toMatchObject({ stepMs: 60_000n, groupBy: "version" });
    expect(r.out).toMatch(/VERSION\s+SAMPLES\s+OVER TIME/);
    expect(r.out).toMatch(/1\.0\s+30\s+▃▅/);
    expect(r.out).toMatch(/2\.0\s+40\s+ █/);
    const t = await run(["series", "shop", "--by", "version", "--table"]);
    expect(t.out).toMatch(/2026-11-25 11:59:00\s+20\s+40/);
  });

  it("turns server errors into one line a person understands", async () => {
    const fail = (code: number, details: string): Partial<QueryClient> => ({
      flameGraph: () => Promise.reject(Object.assign(new Error(`${String(code)} X: ${details}`), { code, details })),
    });
    const down = await run(["flame", "shop", "--api", "10.0.0.1:9"], {
      overrides: fail(14, "No connection established. Last error: Error: connect ECONNREFUSED 10.0.0.1:9. Resolution note: "),
    });
    expect(down.code).toBe(1);
    expect(down.err).toBe(
      "fleetprof flame: cannot reach the query API at 10.0.0.1:9 (connection refused): is `fleetprof up` running? Point elsewhere with --api host:port\n",
    );
    const bad = await run(["flame", "{service=}"], { overrides: fail(3, "selector at 9: expected a quoted value") });
    expect(bad.err).toBe("fleetprof flame: the query API rejected the request: selector at 9: expected a quoted value\n");
    expect(bad.code).toBe(2);
    const auth = await run(["flame", "shop"], { overrides: fail(16, "bad token") });
    expect(auth.err).toMatch(/wants a valid token: bad token \(pass --token or set FLEETPROF_TOKEN\)/);
  });

  it("dump: stack groups with their state and processes, details per thread, hosts that did not answer", async () => {
    const res = await run(["dump", "shop"]);
    expect(res.err).toBe("");
    expect(res.code).toBe(0);
    expect(res.calls.map((c) => c.method)).toEqual(["dump"]);
    expect(res.calls[0]?.request).toMatchObject({ selector: '{service="shop"}', host: "", pids: [] });
    expect(res.out).toContain("4 processes on 2 hosts · 3 threads in 2 distinct stacks · 1 not read");
    expect(res.out).toContain("#1  2 threads in 2 processes · active, 1 holding the GIL");
    expect(res.out).toContain("#2  1 thread in 1 process · idle");
    // leaf first
    expect(res.out).toMatch(/#2[^\n]*\n\s+wait_for_lock\s+app\.py:9\n\s+main\s+app\.py:1\n\s+h1 pid 30 shop \(MainThread\)/);
    expect(res.out).toMatch(/h2 pid 21: process 21 is gone/);
    expect(res.out).toMatch(/Hosts that did not answer\n\s+h3: the agent on h3 did not answer within 10000ms/);
    const details = await run(["dump", "--host", "h1", "--pid", "10,30", "--details"]);
    expect(details.calls[0]?.request).toMatchObject({ selector: "", host: "h1", pids: [10, 30] });
    expect(details.out).toMatch(/h1 pid 30 shop@1\.0: 1 thread\n\s+MainThread\s+3\s+idle\s+#2 wait_for_lock/);
    const json = await run(["dump", "shop", "--json"]);
    expect(JSON.parse(json.out)).toMatchObject({ threads: 3, unanswered: [{ host: "h3" }] });
    const noHost = await run(["dump", "--pid", "10"]);
    expect(noHost.code).toBe(2);
    expect(noHost.err).toMatch(/--pid needs --host/);
  });

  it("capture: progress on stderr, the flame graph on stdout, --host and --pid together", async () => {
    const res = await run(["capture", "--host", "h1", "--pid", "10", "--duration", "3s", "--rate", "500", "--idle"]);
    expect(res.err).toBe('capture c1: h1 pid 10 (shop), 500 Hz for 3s\nstored: 100 samples, query them with {capture_id="c1"}\n');
    expect(res.code).toBe(0);
    expect(res.calls[0]?.request).toMatchObject({ selector: "", host: "h1", pid: 10, durationMs: 3000, rateHz: 500, idle: true, native: false });
    expect(res.out).toContain("work");
    const half = await run(["capture", "--host", "h1"]);
    expect(half.code).toBe(2);
    expect(half.err).toMatch(/--host and --pid go together/);
  });
});
