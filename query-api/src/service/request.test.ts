import { describe, expect, it } from "vitest";
import { create } from "@bufbuild/protobuf";
import { ErrorCode, type FleetprofError } from "@fleetprof/common";
import { TimeRangeSchema } from "@fleetprof/proto";
import { checkLabelName, resolveMaxNodes, resolveRange, resolveStep } from "./request.js";
import { shapeSeries } from "./series.js";

const limits = { maxRangeMs: 86_400_000, maxNodes: 1000, defaultNodes: 100, maxStacks: 10, deadlineMs: 1000, maxQueryMemoryBytes: 1 << 30 };
const codeOf = (fn: () => unknown): ErrorCode | undefined => {
  try {
    fn();
  } catch (err) {
    return (err as FleetprofError).code;
  }
  return undefined;
};

describe("request limits", () => {
  it("defaults a zero range to the last hour and checks its bounds", () => {
    expect(resolveRange(undefined, limits, 10_000_000)).toEqual({ startMs: 10_000_000 - 3_600_000, endMs: 10_000_000 });
    expect(resolveRange(create(TimeRangeSchema, { endUnixMs: 5_000_000n }), limits)).toEqual({ startMs: 1_400_000, endMs: 5_000_000 });
    expect(codeOf(() => resolveRange(create(TimeRangeSchema, { startUnixMs: 2n, endUnixMs: 1n }), limits))).toBe(ErrorCode.InvalidArgument);
    expect(codeOf(() => resolveRange(create(TimeRangeSchema, { startUnixMs: 1n, endUnixMs: 100_000_000n }), limits))).toBe(ErrorCode.ResourceExhausted);
  });

  it("checks max_nodes", () => {
    expect(resolveMaxNodes(0, limits)).toBe(100);
    expect(resolveMaxNodes(500, limits)).toBe(500);
    expect(codeOf(() => resolveMaxNodes(1, limits))).toBe(ErrorCode.InvalidArgument);
    expect(codeOf(() => resolveMaxNodes(5000, limits))).toBe(ErrorCode.ResourceExhausted);
  });

  it("picks round steps and refuses odd or too fine ones", () => {
    expect(resolveStep(0n, { startMs: 0, endMs: 3_600_000 })).toBe(30);
    expect(resolveStep(0n, { startMs: 0, endMs: 86_400_000 })).toBe(900);
    expect(resolveStep(60_000n, { startMs: 0, endMs: 3_600_000 })).toBe(60);
    expect(codeOf(() => resolveStep(1500n, { startMs: 0, endMs: 3_600_000 }))).toBe(ErrorCode.InvalidArgument);
    expect(codeOf(() => resolveStep(1000n, { startMs: 0, endMs: 86_400_000 }))).toBe(ErrorCode.ResourceExhausted);
  });

  it("accepts label names only", () => {
    expect(checkLabelName("region", "group_by")).toBe("region");
    expect(codeOf(() => checkLabelName("a b", "group_by"))).toBe(ErrorCode.InvalidArgument);
    expect(codeOf(() => checkLabelName("x')--", "name"))).toBe(ErrorCode.InvalidArgument);
  });
});

describe("series shaping", () => {
  it("fills every step, largest group first, the folded rest last even when a kept group is named other", () => {
    const rows = [
      { time: 0, group: "a", samples: 5, folded: false },
      { time: 120, group: "a", samples: 5, folded: false },
      { time: 60, group: "other", samples: 1, folded: false },
      { time: 60, group: "", samples: 3, folded: true },
      { time: 120, group: "", samples: 6, folded: true },
    ];
    const out = shapeSeries(rows, { startMs: 0, endMs: 180_000 }, 60, true);
    expect(out.map((s) => [s.group, s.folded, s.total, s.points.map((p) => p.samples)])).toEqual([
      ["a", false, 10, [5, 0, 5]],
      ["other", false, 1, [0, 1, 0]],
      ["other", true, 9, [0, 3, 6]],
    ]);
    expect(shapeSeries([], { startMs: 0, endMs: 120_000 }, 60, false)).toEqual([
      {
        group: "",
        folded: false,
        total: 0,
        points: [
          { time: 0, samples: 0 },
          { time: 60, samples: 0 },
        ],
      },
    ]);
  });
});
