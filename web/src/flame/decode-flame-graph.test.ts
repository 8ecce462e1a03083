import { describe, expect, it } from "vitest";
import { create, toBinary } from "@bufbuild/protobuf";
import { WireType } from "@bufbuild/protobuf/wire";
import { FlameGraphResponseSchema, NodeKind, Presence } from "@fleetprof/proto/query";
import { decodeFlameGraphResponse } from "./decode-flame-graph.js";
import { flameDataFrom } from "./flame-data-from.js";

const node = (over: Record<string, unknown>) => ({ name: 1, file: 2, line: 7, parent: 0, self: 0n, total: 0n, kind: NodeKind.FRAME, ...over });

describe("decoding a FlameGraphResponse without the protobuf runtime", () => {
  it("gives the columns flameDataFrom gives, for a plain graph with folded nodes and large counts", () => {
    const graph = {
      strings: ["", "main", "app.py", "… smaller", "ünï"],
      nodes: [
        node({ name: 0, file: 0, line: 0, parent: -1, total: 2n ** 40n + 10n, kind: NodeKind.ROOT }),
        node({ parent: 0, self: 2n ** 40n, total: 2n ** 40n + 10n }),
        node({ name: 4, parent: 1, self: 7n, total: 7n }),
        node({ name: 3, file: 0, parent: 1, self: 3n, total: 3n, kind: NodeKind.OTHER, folded: 42 }),
      ],
      total: 2n ** 40n + 10n,
      foldedNodes: 42n,
      foldedSamples: 3n,
      firstSampleUnixMs: 1_796_247_885_328n,
      lastSampleUnixMs: 1_796_334_285_328n,
      source: "rollup_1h",
    };
    const message = create(FlameGraphResponseSchema, { flameGraph: graph });
    expect(decodeFlameGraphResponse(toBinary(FlameGraphResponseSchema, message))).toEqual(flameDataFrom(message.flameGraph ?? (graph as never)));
  });

  it("keeps both sides of a diff and where each frame was seen", () => {
    const message = create(FlameGraphResponseSchema, {
      flameGraph: {
        diff: true,
        strings: ["", "a", "f.py"],
        nodes: [
          node({ name: 0, file: 0, parent: -1, total: 10n, baseTotal: 20n, kind: NodeKind.ROOT, presence: Presence.BOTH }),
          node({ parent: 0, self: 10n, total: 10n, presence: Presence.COMPARISON_ONLY, share: 1 }),
          node({ parent: 0, baseSelf: 20n, baseTotal: 20n, presence: Presence.BASE_ONLY, baseShare: 1 }),
        ],
        total: 10n,
        baseTotal: 20n,
      },
    });
    const decoded = decodeFlameGraphResponse(toBinary(FlameGraphResponseSchema, message));
    expect(decoded).toEqual(flameDataFrom(message.flameGraph as never));
    expect(decoded.presence).toEqual([0, 2, 1]);
  });

  it("reads every string as UTF-8, ASCII or not, short or long, among many", () => {
    // "€" is E2 82 AC: bytes a single-byte reading would take for other characters; strings of
    // 200 and 20 000 bytes have lengths whose varints are not ASCII either
    const strings = ["", "main", "€uro", "ünï", "x".repeat(200), "app.py", "日本語/パス.py", "y".repeat(20_000), "😀", "tail"];
    for (let k = 0; k < 300; k++) strings.push(k % 7 === 0 ? `fn_${String(k)}_é` : `fn_${String(k)}`);
    const message = create(FlameGraphResponseSchema, {
      flameGraph: { strings, nodes: [node({ name: 0, file: 0, parent: -1, total: 5n, kind: NodeKind.ROOT })], total: 5n, source: "rollup_1h" },
    });
    const decoded = decodeFlameGraphResponse(toBinary(FlameGraphResponseSchema, message));
    expect(decoded.strings).toEqual(strings);
    expect(decoded.source).toBe("rollup_1h");
  });

  it("reads a node's fields whatever their order, length or sign, and skips the node's fields it does not know", () => {
    const unknown = [
      { no: 20, wireType: WireType.Varint, data: new Uint8Array([0xff, 0xff, 0x03]) },
      { no: 21, wireType: WireType.LengthDelimited, data: new Uint8Array([0x05, 0xff, 0xff, 0xff, 0xff, 0x0f]) },
      { no: 22, wireType: WireType.Bit32, data: new Uint8Array([1, 2, 3, 4]) },
      { no: 23, wireType: WireType.Bit64, data: new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]) },
    ];
    const message = create(FlameGraphResponseSchema, {
      flameGraph: {
        strings: ["", ...Array.from({ length: 300 }, (_, k) => `f${String(k)}`)],
        nodes: [
          node({ name: 0, file: 0, parent: -1, total: 2n ** 50n + 3n, kind: NodeKind.ROOT, share: 1 }),
          node({ name: 299, file: 150, line: 100_000, parent: 0, self: 200n, total: 2n ** 50n, share: 0.5 }),
          // a parent that is not one (negative, ten bytes on the wire) and one that needs five bytes
          node({ name: 3, parent: -5, total: 1n }),
          node({ name: 4, parent: 2 ** 30, total: 2n, kind: NodeKind.OTHER, folded: 300 }),
        ],
        total: 2n ** 50n + 3n,
      },
    });
    // create() leaves unknown fields out; toBinary writes those set on the message (191 bytes here)
    const known = toBinary(FlameGraphResponseSchema, message);
    const nodes = message.flameGraph?.nodes ?? [];
    Object.assign(nodes[1] ?? {}, { $unknown: unknown });
    Object.assign(nodes[2] ?? {}, { $unknown: unknown.slice(1, 2) });
    // a node of more than 127 bytes: its length takes two bytes
    Object.assign(nodes[3] ?? {}, {
      $unknown: [{ no: 21, wireType: WireType.LengthDelimited, data: new Uint8Array([150, 1, ...new Uint8Array(150).fill(7)]) }],
    });
    const bytes = toBinary(FlameGraphResponseSchema, message);
    expect(bytes.length).toBeGreaterThanOrEqual(known.length + 191);
    const decoded = decodeFlameGraphResponse(bytes);
    expect(decoded).toEqual(flameDataFrom(message.flameGraph as never));
    expect(decoded.parent).toEqual([-1, 0, -5, 2 ** 30]);
    expect(decoded.line[1]).toBe(100_000);
  });

  it("skips fields it does not know", () => {
    const message = create(FlameGraphResponseSchema, {
      flameGraph: { strings: ["", "x"], nodes: [node({ name: 0, parent: -1, total: 5n, kind: NodeKind.ROOT })], total: 5n },
    });
    const bytes = toBinary(FlameGraphResponseSchema, message);
    // field 99 (varint 7), field 98 (five bytes that read as a tag would be an unknown wire type) appended to the response
    const extra = new Uint8Array([0x98, 0x06, 0x07, 0x92, 0x06, 0x05, 0xff, 0xff, 0xff, 0xff, 0x0f]);
    const decoded = decodeFlameGraphResponse(new Uint8Array([...bytes, ...extra]));
    expect(decoded.sum).toBe(5);
    expect(decoded.name).toEqual([0]);
  });
});
