import { describe, expect, it } from "vitest";
import { errorMessage, sleep } from "./async.js";

describe("sleep", () => {
  it("resolves true after the time passes", async () => {
    const started = performance.now();
    expect(await sleep(30)).toBe(true);
    expect(performance.now() - started).toBeGreaterThanOrEqual(25);
  });

  it("resolves false at once when the signal aborts, and false for a signal already aborted", async () => {
    const ac = new AbortController();
    const started = performance.now();
    const waiting = sleep(10_000, ac.signal);
    setTimeout(() => ac.abort(), 10);
    expect(await waiting).toBe(false);
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(await sleep(10_000, AbortSignal.abort())).toBe(false);
  });
});

describe("errorMessage", () => {
  it("gives an Error's message and anything else as text", () => {
    expect(errorMessage(new TypeError("bad thing"))).toBe("bad thing");
    expect(errorMessage("plain")).toBe("plain");
    expect(errorMessage(42)).toBe("42");
  });
});
