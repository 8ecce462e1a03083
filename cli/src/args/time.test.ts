import { describe, expect, it } from "vitest";
import { parseRange, parseTime } from "./time.js";

const now = Date.parse("2026-11-25T12:00:00Z");

describe("parseTime", () => {
  it("reads relative times", () => {
    expect(parseTime("now", now)).toBe(now);
    expect(parseTime("15m", now)).toBe(now - 15 * 60_000);
    expect(parseTime("-2h", now)).toBe(now - 7_200_000);
    expect(parseTime("now-1d", now)).toBe(now - 86_400_000);
    expect(parseTime("1w", now)).toBe(now - 7 * 86_400_000);
  });
  it("reads ISO and Unix times", () => {
    expect(parseTime("2026-11-25T10:00:00Z", now)).toBe(Date.parse("2026-11-25T10:00:00Z"));
    expect(parseTime("2026-11-24", now)).toBe(new Date(2026, 10, 24).getTime());
    expect(parseTime("2026-11-24T08:30:00", now)).toBe(new Date(2026, 10, 24, 8, 30).getTime());
    expect(parseTime("1795000000", now)).toBe(1_795_000_000_000);
    expect(parseTime("1795000000123", now)).toBe(1_795_000_000_123);
  });
  it("rejects what it cannot read", () => {
    expect(() => parseTime("yesterday", now)).toThrow(/not a time/);
  });
  it("checks the order of a range", () => {
    expect(parseRange("1h", "now", now)).toEqual({ startMs: now - 3_600_000, endMs: now });
    expect(() => parseRange("now", "1h", now)).toThrow(/must be before/);
  });
});
