import { describe, expect, it } from "vitest";
import { chartStepMs, describeRange, parseTime, resolveRange } from "./time-range.js";

const now = Date.UTC(2030, 0, 2, 12, 0, 0);

describe("time ranges in the URL", () => {
  it("reads relative, unix-millisecond and ISO times", () => {
    expect(parseTime("now", now)).toBe(now);
    expect(parseTime("now-15m", now)).toBe(now - 900_000);
    expect(parseTime("now-7d", now)).toBe(now - 7 * 86_400_000);
    expect(parseTime(String(now - 5000), now)).toBe(now - 5000);
    expect(parseTime("2030-01-02T11:00:00Z", now)).toBe(now - 3_600_000);
    expect(parseTime("yesterday-ish", now)).toBeUndefined();
  });

  it("falls back to the last hour when a range is unreadable or backwards", () => {
    expect(resolveRange({ from: "now-6h", to: "now" }, now)).toEqual({ startMs: now - 6 * 3_600_000, endMs: now });
    expect(resolveRange({ from: "garbage", to: "now" }, now)).toEqual({ startMs: now - 3_600_000, endMs: now });
    expect(resolveRange({ from: String(now), to: String(now - 10) }, now)).toEqual({ startMs: now - 10 - 3_600_000, endMs: now - 10 });
  });

  it("names a range the way the picker shows it", () => {
    expect(describeRange({ from: "now-15m", to: "now" })).toBe("last 15m");
    expect(describeRange({ from: "now-90m", to: "now" })).toBe("last 90m");
  });
});

describe("chart steps", () => {
  it("give about 60 round steps, never finer than the agents' 10 s windows", () => {
    expect(chartStepMs({ startMs: now - 300_000, endMs: now })).toBe(10_000);
    expect(chartStepMs({ startMs: now - 3_600_000, endMs: now })).toBe(60_000);
    expect(chartStepMs({ startMs: now - 86_400_000, endMs: now })).toBe(1_800_000);
    expect(chartStepMs({ startMs: now - 31 * 86_400_000, endMs: now })).toBe(86_400_000);
  });
});
