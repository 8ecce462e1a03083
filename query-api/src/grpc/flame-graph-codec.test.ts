import { create, fromBinary, toBinary, type DescMessage, type MessageShape } from "@bufbuild/protobuf";
import {
  DiffFlameGraphResponseSchema,
  FlameGraphResponseSchema,
  FlameGraphSchema,
  FlameNodeSchema,
  ListServicesResponseSchema,
  NodeKind,
  Presence,
  type FlameGraph,
} from "@fleetprof/proto";
import { seededRandom } from "@fleetprof/test/random";
import { describe, expect, it } from "vitest";
import { profileOf } from "../profile/fixtures.test-util.js";
import { nodeColumns } from "../profile/flame-columns.js";
import { toFlameGraph } from "../profile/flame-graph.js";
import { buildDiffTree, buildTree } from "../profile/tree.js";
import { decodeFlameGraphResponse } from "./flame-graph-decode.js";
import { encodeFlameGraphResponse } from "./flame-graph-encode.js";

/** Encodes by hand and with protobuf-es, decodes both ways: bytes and objects must be identical. */
function roundTrip(schema: DescMessage, message: MessageShape<DescMessage>): Uint8Array {
  const expected = toBinary(schema, message);
  const bytes = encodeFlameGraphResponse(schema, message);
  expect(Buffer.from(bytes).equals(Buffer.from(expected))).toBe(true);
  expect(decodeFlameGraphResponse(schema, bytes)).toStrictEqual(fromBinary(schema, bytes));
  return expected;
}

const opts = { diff: false, firstMs: 1_700_000_000_000, lastMs: 1_700_000_060_000, source: "rollup_1m" as const };
const plain = profileOf({ "main;a;x": 50, "main;a": 10, "main;b;x": 30, "main;c": 6, "main;d": 3, "main;e": 1, "main;é;🔥": 7 });
const base = profileOf({ "main;a;x": 20, "main;b": 40, "main;gone": 5 });

/**
 * A graph with every field at values the server rarely writes: negatives, -0, NaN, unknown enum
 * values; with `huge`, counts past 2^53 too (encoded by protobuf-es, decoded by hand).
 */
function randomGraph(seed: number, nodes: number, huge = false): FlameGraph {
  const rnd = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const safe = [0n, 1n, 127n, 128n, BigInt(Math.floor(rnd() * 1e6)), 2n ** 32n, 2n ** 53n - 1n];
  const count = (): bigint => pick(huge ? [...safe, 2n ** 53n, 2n ** 63n + 5n, 2n ** 64n - 1n] : safe);
  const share = (): number => pick([0, -0, rnd(), 1, 1e-300, Number.NaN]);
  return create(FlameGraphSchema, {
    strings: ["", "root", "ünïcode", "emoji 🔥", "x".repeat(300), "lone \ud800 surrogate"],
    nodes: Array.from({ length: nodes }, (_, i) =>
      create(FlameNodeSchema, {
        name: Math.floor(rnd() * 6),
        file: pick([0, 5, 2 ** 32 - 1]),
        line: Math.floor(rnd() * 5000),
        parent: i === 0 ? -1 : pick([0, i - 1, 2 ** 31 - 1]),
        self: count(),
        total: count(),
        baseSelf: count(),
        baseTotal: count(),
        share: share(),
        baseShare: share(),
        kind: pick([NodeKind.UNSPECIFIED, NodeKind.ROOT, NodeKind.FRAME, NodeKind.OTHER, 9, -2]),
        folded: pick([0, 3, 2 ** 32 - 1]),
        presence: pick([Presence.UNSPECIFIED, Presence.BOTH, Presence.BASE_ONLY, Presence.COMPARISON_ONLY, 17]),
      }),
    ),
    total: count(),
    baseTotal: count(),
    diff: rnd() < 0.5,
    foldedNodes: count(),
    foldedSamples: count(),
    firstSampleUnixMs: pick([0n, 1_700_000_000_000n, -5n, 2n ** 63n - 1n, -(2n ** 63n)]),
    lastSampleUnixMs: pick([0n, 1_700_000_000_000n]),
    source: pick(["", "raw", "rollup_1h"]),
  });
}

describe("flame graph codec: the bytes and objects of protobuf-es", () => {
  it("a flame graph, a truncated one with OTHER nodes, and an empty response", () => {
    roundTrip(FlameGraphResponseSchema, create(FlameGraphResponseSchema, { flameGraph: toFlameGraph(buildTree(plain), { ...opts, maxNodes: 1000 }) }));
    roundTrip(FlameGraphResponseSchema, create(FlameGraphResponseSchema, { flameGraph: toFlameGraph(buildTree(plain), { ...opts, maxNodes: 4 }) }));
    roundTrip(FlameGraphResponseSchema, create(FlameGraphResponseSchema, { flameGraph: toFlameGraph(buildTree(profileOf({})), { ...opts, maxNodes: 10 }) }));
    roundTrip(FlameGraphResponseSchema, create(FlameGraphResponseSchema));
  });

  it("a diff flame graph with its basis after the graph", () => {
    const graph = toFlameGraph(buildDiffTree(base, plain), { ...opts, diff: true, maxNodes: 1000 });
    expect(graph.nodes.some((n) => n.presence === Presence.BASE_ONLY)).toBe(true);
    const message = create(DiffFlameGraphResponseSchema, {
      flameGraph: graph,
      basis: { baseMode: "cpu", mode: "cpu", baseRatesHz: [100, 250], ratesHz: [100], ratesNormalised: true, note: "cpu at 100 Hz vs 100 and 250 Hz" },
    });
    roundTrip(DiffFlameGraphResponseSchema, message);
  });

  it("a graph whose nodes are still columns (as a handler returns it) encodes to protobuf-es's bytes of its nodes", () => {
    const cases = [
      { tree: () => buildTree(plain), diff: false, maxNodes: 1000 },
      { tree: () => buildTree(plain), diff: false, maxNodes: 4 },
      { tree: () => buildDiffTree(base, plain), diff: true, maxNodes: 1000 },
      { tree: () => buildTree(profileOf({})), diff: false, maxNodes: 10 },
    ];
    for (const c of cases) {
      const graph = toFlameGraph(c.tree(), { ...opts, diff: c.diff, maxNodes: c.maxNodes });
      expect(nodeColumns(graph)).toBeDefined();
      const fromColumns = encodeFlameGraphResponse(FlameGraphResponseSchema, create(FlameGraphResponseSchema, { flameGraph: graph }));
      expect(nodeColumns(graph)).toBeDefined();
      // reading the nodes builds them; from then on they are what is encoded
      const expected = toBinary(FlameGraphResponseSchema, create(FlameGraphResponseSchema, { flameGraph: graph }));
      expect(nodeColumns(graph)).toBeUndefined();
      expect(Buffer.from(fromColumns).equals(Buffer.from(expected))).toBe(true);
      expect(decodeFlameGraphResponse(FlameGraphResponseSchema, fromColumns)).toStrictEqual(fromBinary(FlameGraphResponseSchema, expected));
    }
    // nodes changed after they were read, or replaced, are what is encoded
    const read = toFlameGraph(buildTree(plain), { ...opts, maxNodes: 1000 });
    (read.nodes[1] as { line: number }).line = 4242;
    const replaced = toFlameGraph(buildTree(plain), { ...opts, maxNodes: 1000 });
    replaced.nodes = replaced.nodes.slice(0, 3);
    for (const graph of [read, replaced]) roundTrip(FlameGraphResponseSchema, create(FlameGraphResponseSchema, { flameGraph: graph }));
    expect(read.nodes[1]?.line).toBe(4242);
    expect(replaced.nodes).toHaveLength(3);
  });

  it("random graphs with extreme values: uint64 past 2^53, negative int32 and int64, -0 and NaN shares, unknown enum values", () => {
    for (let seed = 1; seed <= 40; seed++)
      roundTrip(FlameGraphResponseSchema, create(FlameGraphResponseSchema, { flameGraph: randomGraph(seed, 1 + (seed % 7) * 30, seed > 30) }));
  });

  it("leaves to protobuf-es what it does not handle: unknown fields, a repeated graph, other messages, bad bytes", () => {
    const graph = toFlameGraph(buildTree(plain), { ...opts, maxNodes: 1000 });
    const withUnknown = create(FlameGraphResponseSchema, {
      flameGraph: { ...graph, nodes: graph.nodes.map((n, i) => (i === 2 ? { ...n, $unknown: [{ no: 99, wireType: 0, data: new Uint8Array([7]) }] } : n)) },
    });
    const bytes = roundTrip(FlameGraphResponseSchema, withUnknown);
    expect((decodeFlameGraphResponse(FlameGraphResponseSchema, bytes) as unknown as { flameGraph: FlameGraph }).flameGraph.nodes[2]?.$unknown).toHaveLength(1);
    // two graphs in one message merge (repeated nodes append)
    const twice = Buffer.concat([bytes, bytes]);
    expect(decodeFlameGraphResponse(FlameGraphResponseSchema, twice)).toStrictEqual(fromBinary(FlameGraphResponseSchema, twice));
    const services = create(ListServicesResponseSchema, { services: [{ name: "shop", versions: ["1.0"], samples: 5n, hosts: 2 }] });
    roundTrip(ListServicesResponseSchema, services);
    expect(() => decodeFlameGraphResponse(FlameGraphResponseSchema, bytes.subarray(0, bytes.length - 3))).toThrow();
  });
});
