import { describe, expect, it } from "vitest";
import { create, toBinary } from "@bufbuild/protobuf";
import { FlameGraphRequestSchema } from "@fleetprof/proto/query";
import { encodeFlameGraphRequest } from "./flame-request.js";

describe("the preload's FlameGraph request", () => {
  it("is byte for byte what protobuf-es encodes", () => {
    const cases = [
      { selector: '{service="shop-demo", version="2.0"}', startMs: 1_796_247_885_328, endMs: 1_796_334_285_328, maxNodes: 0 },
      { selector: "", startMs: 1, endMs: 2 ** 52, maxNodes: 20_000 },
      { selector: "ünïcode{x=~`a.*`}", startMs: 0, endMs: 0, maxNodes: 1 },
    ];
    for (const c of cases) {
      const expected = toBinary(
        FlameGraphRequestSchema,
        create(FlameGraphRequestSchema, { selector: c.selector, range: { startUnixMs: BigInt(c.startMs), endUnixMs: BigInt(c.endMs) }, maxNodes: c.maxNodes }),
      );
      expect(encodeFlameGraphRequest(c), JSON.stringify(c)).toEqual(expected);
    }
  });
});
