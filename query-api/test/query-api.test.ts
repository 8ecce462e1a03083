import { errorOf } from "@fleetprof/test";
/**
 * The query API end to end: a real grpc-js client against the server over a real embedded
 * ClickHouse holding a known workload, written the way production writes it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fromBinary } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import { createLogger, ErrorCode } from "@fleetprof/common";
import { ExportFormat, grpcHealthV1, NodeKind, Presence, SortBy, type FlameGraph } from "@fleetprof/proto";
import type { Store } from "@fleetprof/store";
import { createQueryClient, createServiceClient, startQueryApi, type QueryApi, type QueryClient } from "../src/index.js";
import { decodePprof, pprofTop } from "./pprof-decoder.js";
import { WORKLOAD, ingestWorkload, type Ingested } from "./workload.js";
import { reflectionCall } from "./reflection-client.js";

let ingested: Ingested;
let store: Store;
let api: QueryApi;
let client: QueryClient;

beforeAll(async () => {
  ingested = await ingestWorkload();
  store = ingested.store;
  api = await startQueryApi({ host: "127.0.0.1", port: 0 }, { store, logger: createLogger({ level: "silent" }) });
  client = createQueryClient(api.address);
}, 120_000);

afterAll(async () => {
  client.close();
  await api.stop();
  await ingested.close();
});

const range = () => ({ startUnixMs: BigInt(ingested.startMs), endUnixMs: BigInt(ingested.endMs) });

function nodeByPath(g: FlameGraph, path: string[]): FlameGraph["nodes"][number] | undefined {
  let parent = 0;
  for (const name of path) {
    const i = g.nodes.findIndex((n, idx) => n.parent === parent && g.strings[n.name] === name && idx > parent);
    if (i === -1) return undefined;
    parent = i;
  }
  return g.nodes[parent];
}

describe("query API over a known workload", () => {
  it("lists services, label names and values", async () => {
    const { services } = await client.listServices({ range: range() });
    expect(services).toEqual([expect.objectContaining({ name: WORKLOAD.service, versions: ["1.0", "2.0"], hosts: 2 })]);
    expect(services[0]?.samples).toBe(BigInt(ingested.totals.v1 + ingested.totals.v2));
    const { names } = await client.listLabelNames({ selector: `{service="${WORKLOAD.service}"}`, range: range() });
    expect(names).toEqual(expect.arrayContaining(["service", "version", "host", "pid", "thread", "mode", "region"]));
    expect(await client.listLabelValues({ name: "host", range: range() })).toMatchObject({ values: ["web-1", "web-2"], truncated: false });
    expect(await client.listLabelValues({ name: "region", selector: '{host="web-2"}', range: range() })).toMatchObject({ values: ["us"] });
    expect(await client.listLabelValues({ name: "version", range: range(), limit: 1 })).toMatchObject({ values: ["1.0"], truncated: true });
  });

  it("shows the workload's functions with their known shares", async () => {
    const { flameGraph: g } = await client.flameGraph({ selector: `{service="${WORKLOAD.service}", version="1.0"}`, range: range() });
    if (g === undefined) throw new Error("no flame graph");
    expect(g.total).toBe(BigInt(ingested.totals.v1));
    expect(g.nodes[0]).toMatchObject({ kind: NodeKind.ROOT, parent: -1, total: g.total });
    const share = (fn: string) => nodeByPath(g, ["main", "handle", fn])?.share ?? -1;
    expect(share("alpha")).toBeCloseTo(0.6, 6);
    expect(share("beta")).toBeCloseTo(0.3, 6);
    expect(share("gamma")).toBeCloseTo(0.06, 6);
    expect(nodeByPath(g, ["main", "legacy_cache"])?.share).toBeCloseTo(0.04, 6);
    expect(nodeByPath(g, ["main", "handle", "alpha"])).toMatchObject({ self: BigInt(ingested.totals.v1 * 0.6) });
    expect(g.strings[nodeByPath(g, ["main"])?.file ?? 0]).toBe("shop.py");
    expect(Number(g.firstSampleUnixMs)).toBeGreaterThanOrEqual(ingested.startMs);
    expect(Number(g.lastSampleUnixMs)).toBeLessThan(ingested.endMs);
    expect(g.source).toBe("raw");
    // Siblings heaviest first, parents before children.
    g.nodes.forEach((n, i) => i > 0 && expect(n.parent).toBeLessThan(i));
  });

  it("filters by regex, negative matchers and free labels", async () => {
    const all = await client.flameGraph({ selector: `{version=~"1\\\\..*|2\\\\..*"}`, range: range() });
    expect(all.flameGraph?.total).toBe(BigInt(ingested.totals.v1 + ingested.totals.v2));
    const eu = await client.flameGraph({ selector: '{region="eu", version!="2.0"}', range: range() });
    expect(eu.flameGraph?.total).toBe(BigInt(ingested.totals.v1 / 2));
    const none = await client.flameGraph({ selector: '{host!~"web-.*"}', range: range() });
    expect(none.flameGraph?.total).toBe(0n);
    expect(none.flameGraph?.nodes).toHaveLength(1);
  });

  it("ranks the function whose cost doubled first among regressions", async () => {
    const d = await client.diffTopFunctions({ baseSelector: '{version="1.0"}', selector: '{version="2.0"}', range: range() });
    expect(d.baseTotal).toBe(BigInt(ingested.totals.v1));
    expect(d.total).toBe(BigInt(ingested.totals.v2));
    expect(d.regressions[0]).toMatchObject({ function: "alpha", file: "shop.py" });
    expect(d.regressions[0]?.baseSelfShare).toBeCloseTo(0.6, 6);
    expect(d.regressions[0]?.selfShare).toBeCloseTo(0.75, 6);
    expect(d.regressions[0]?.deltaShare).toBeCloseTo(0.15, 6);
    expect(d.regressions.map((f) => f.function)).toEqual(["alpha", "new_feature"]);
    expect(d.improvements.map((f) => f.function)).toEqual(["beta", "legacy_cache", "gamma"]);
  });

  it("diffs flame graphs with both sides per node and one-sided stacks flagged", async () => {
    const { flameGraph: g } = await client.diffFlameGraph({ baseSelector: '{version="1.0"}', selector: '{version="2.0"}', range: range() });
    if (g === undefined) throw new Error("no flame graph");
    expect(g.diff).toBe(true);
    expect(g.baseTotal).toBe(BigInt(ingested.totals.v1));
    expect(g.total).toBe(BigInt(ingested.totals.v2));
    const alpha = nodeByPath(g, ["main", "handle", "alpha"]);
    expect(alpha).toMatchObject({ presence: Presence.BOTH });
    expect(alpha?.baseShare).toBeCloseTo(0.6, 6);
    expect(alpha?.share).toBeCloseTo(0.75, 6);
    expect(nodeByPath(g, ["main", "legacy_cache"])).toMatchObject({ presence: Presence.BASE_ONLY, total: 0n });
    expect(nodeByPath(g, ["main", "new_feature"])).toMatchObject({ presence: Presence.COMPARISON_ONLY, baseTotal: 0n });
  });

  it("lists top functions by self and by total", async () => {
    const bySelf = await client.topFunctions({ selector: '{version="1.0"}', range: range(), limit: 3 });
    expect(bySelf.functions.map((f) => f.function)).toEqual(["alpha", "beta", "gamma"]);
    expect(bySelf.functions[0]?.selfShare).toBeCloseTo(0.6, 6);
    const byTotal = await client.topFunctions({ selector: '{version="1.0"}', range: range(), sort: SortBy.TOTAL, limit: 2 });
    expect(byTotal.functions.map((f) => [f.function, f.total])).toEqual([
      ["main", BigInt(ingested.totals.v1)],
      ["handle", BigInt(ingested.totals.v1 * 0.96)],
    ]);
  });

  it("returns time series whose steps sum to the flame graph total", async () => {
    const selector = `{service="${WORKLOAD.service}"}`;
    const flame = await client.flameGraph({ selector, range: range() });
    const series = await client.timeSeries({ selector, range: range(), stepMs: 60_000n });
    expect(series.stepMs).toBe(60_000n);
    expect(series.series).toHaveLength(1);
    const sum = series.series[0]?.points.reduce((s, p) => s + p.samples, 0n);
    expect(sum).toBe(flame.flameGraph?.total);
    const byVersion = await client.timeSeries({ selector, range: range(), groupBy: "version" });
    expect(byVersion.series.map((s) => s.group).sort()).toEqual(["1.0", "2.0"]);
    expect(byVersion.series.reduce((s, x) => s + x.total, 0n)).toBe(flame.flameGraph?.total);
    const folded = await client.timeSeries({ selector, range: range(), groupBy: "host", limit: 1 });
    expect(folded.series.map((s) => s.group)).toEqual([expect.stringMatching(/^web-/), "other"]);
  });

  it("folds small children into other nodes within max_nodes and says how much", async () => {
    const { flameGraph: g } = await client.flameGraph({ selector: `{service="${WORKLOAD.service}"}`, range: range(), maxNodes: 5 });
    if (g === undefined) throw new Error("no flame graph");
    expect(g.nodes.length).toBeLessThanOrEqual(5);
    const others = g.nodes.filter((n) => n.kind === NodeKind.OTHER);
    expect(others.length).toBeGreaterThan(0);
    expect(g.foldedNodes).toBeGreaterThan(0n);
    expect(g.foldedSamples).toBe(others.reduce((s, n) => s + n.total, 0n));
    expect(g.nodes[0]?.total).toBe(BigInt(ingested.totals.v1 + ingested.totals.v2));
  });

  it("exports pprof that decodes to the same functions and totals", async () => {
    const selector = '{version="1.0"}';
    const res = await client.export({ selector, range: range(), format: ExportFormat.PPROF });
    expect(res.fileSuffix).toBe(".pb.gz");
    expect([res.data[0], res.data[1]]).toEqual([0x1f, 0x8b]);
    const top = pprofTop(decodePprof(res.data));
    expect(top.total).toBe(BigInt(ingested.totals.v1));
    const api = await client.topFunctions({ selector, range: range(), limit: 100 });
    for (const f of api.functions) {
      expect(top.flat.get(f.function) ?? 0n, f.function).toBe(f.self);
      expect(top.cum.get(f.function), f.function).toBe(f.total);
    }
    expect([...top.cum.keys()].sort()).toEqual(api.functions.map((f) => f.function).sort());
  });

  it("exports collapsed stacks and speedscope JSON", async () => {
    const collapsed = new TextDecoder().decode((await client.export({ selector: '{version="1.0"}', range: range(), format: ExportFormat.COLLAPSED })).data);
    const lines = collapsed.trim().split("\n");
    expect(lines).toContain(`main (shop.py);handle (shop.py);alpha (shop.py) ${String(ingested.totals.v1 * 0.6)}`);
    expect(lines.reduce((s, l) => s + Number(l.slice(l.lastIndexOf(" ") + 1)), 0)).toBe(ingested.totals.v1);
    const speedscope = JSON.parse(
      new TextDecoder().decode((await client.export({ selector: '{version="1.0"}', range: range(), format: ExportFormat.SPEEDSCOPE })).data),
    ) as {
      profiles: { weights: number[] }[];
    };
    expect(speedscope.profiles[0]?.weights.reduce((a, b) => a + b, 0)).toBe(ingested.totals.v1);
  });

  it("refuses bad selectors with INVALID_ARGUMENT naming the column", async () => {
    const bad = await errorOf(client.flameGraph({ selector: '{service=="api"}', range: range() }));
    expect(bad.code).toBe(ErrorCode.InvalidArgument);
    expect(bad.message).toMatch(/at column 9/);
    const inject = await errorOf(client.flameGraph({ selector: `{service="x"} OR 1=1 --`, range: range() }));
    expect(inject.code).toBe(ErrorCode.InvalidArgument);
    const regex = await errorOf(client.topFunctions({ selector: '{version=~"(?<=1)"}', range: range() }));
    expect(regex.message).toMatch(/RE2/);
    // A value that looks like SQL is only ever a value.
    const quoted = await client.flameGraph({ selector: `{service="x' OR '1'='1"}`, range: range() });
    expect(quoted.flameGraph?.total).toBe(0n);
  });

  it("enforces limits with clear status codes", async () => {
    const wide = await errorOf(client.flameGraph({ range: { startUnixMs: 1n, endUnixMs: BigInt(Date.now()) } }));
    expect(wide.code).toBe(ErrorCode.ResourceExhausted);
    expect(wide.message).toMatch(/max-range/);
    const nodes = await errorOf(client.flameGraph({ range: range(), maxNodes: 10_000_000 }));
    expect(nodes.code).toBe(ErrorCode.ResourceExhausted);
    const backwards = await errorOf(client.flameGraph({ range: { startUnixMs: 2000n, endUnixMs: 1000n } }));
    expect(backwards.code).toBe(ErrorCode.InvalidArgument);
    const step = await errorOf(client.timeSeries({ range: range(), stepMs: 1500n }));
    expect(step.code).toBe(ErrorCode.InvalidArgument);
    const deadline = await errorOf(client.flameGraph({ range: range() }, { deadlineMs: 1 }));
    expect(deadline.code).toBe(ErrorCode.DeadlineExceeded);
  });

  it("serves grpc.health.v1 and server reflection", async () => {
    const health = createServiceClient(grpcHealthV1.Health, api.address);
    try {
      expect((await health.check({})).status).toBe(grpcHealthV1.HealthCheckResponse_ServingStatus.SERVING);
      expect((await health.check({ service: "fleetprof.v1.QueryService" })).status).toBe(grpcHealthV1.HealthCheckResponse_ServingStatus.SERVING);
      expect((await errorOf(health.check({ service: "nope" }))).code).toBe(ErrorCode.NotFound);
    } finally {
      health.close();
    }
    for (const version of ["v1", "v1alpha"] as const) {
      const [list, symbol] = await reflectionCall(api.address, version, [
        { case: "listServices", value: "" },
        { case: "fileContainingSymbol", value: "fleetprof.v1.QueryService.FlameGraph" },
      ]);
      expect(list?.messageResponse.case).toBe("listServicesResponse");
      const names = list?.messageResponse.case === "listServicesResponse" ? list.messageResponse.value.service.map((s) => s.name) : [];
      expect(names).toEqual([
        "fleetprof.v1.QueryService",
        "grpc.health.v1.Health",
        "grpc.reflection.v1.ServerReflection",
        "grpc.reflection.v1alpha.ServerReflection",
      ]);
      if (symbol?.messageResponse.case !== "fileDescriptorResponse") throw new Error(`no descriptor: ${JSON.stringify(symbol?.messageResponse.case)}`);
      const file = fromBinary(FileDescriptorProtoSchema, symbol.messageResponse.value.fileDescriptorProto[0] ?? new Uint8Array());
      expect(file.name).toBe("fleetprof/v1/query.proto");
      expect(file.service[0]?.method.map((m) => m.name)).toContain("DiffFlameGraph");
    }
  });
});
