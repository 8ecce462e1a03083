import { describe, expect, it } from "vitest";
import { errorMessage, settlesWithin, sleep } from "./async.js";

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

describe("settlesWithin", () => {
  it("is true for a promise settled in time (fulfilled or rejected), false past the time, and leaves no timer", async () => {
    expect(await settlesWithin(sleep(5), 5_000)).toBe(true);
    expect(await settlesWithin(Promise.reject(new Error("refused")), 5_000)).toBe(true);
    const started = performance.now();
    expect(await settlesWithin(new Promise(() => undefined), 20)).toBe(false);
    expect(performance.now() - started).toBeLessThan(5_000);
    // the 60 s wait was cleared: no timer of it is left to hold the process up
    const before = process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
    await settlesWithin(Promise.resolve(), 60_000);
    expect(process.getActiveResourcesInfo().filter((r) => r === "Timeout").length).toBe(before);
  });
});

describe("errorMessage", () => {
  it("gives an Error's message and anything else as text", () => {
    expect(errorMessage(new TypeError("bad thing"))).toBe("bad thing");
    expect(errorMessage("plain")).toBe("plain");
    expect(errorMessage(42)).toBe("42");
  });
});
