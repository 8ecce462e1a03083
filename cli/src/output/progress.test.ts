import { describe, expect, it } from "vitest";
import type { Io } from "../io.js";
import { withProgress } from "./progress.js";

function io(tty: boolean): Io & { err: () => string } {
  let err = "";
  return {
    stdout: { write: () => true },
    stderr: { write: (s: string | Uint8Array) => (err += String(s)), isTTY: tty },
    env: {},
    cwd: "/",
    now: () => 0,
    err: () => err,
  };
}

const slow = <T>(value: T, ms: number): Promise<T> => new Promise((r) => setTimeout(() => r(value), ms));

describe("withProgress", () => {
  it("shows a spinner on a terminal once the work takes longer than the delay, and erases it", async () => {
    const t = io(true);
    expect(await withProgress(t, "querying", slow(42, 150), 20)).toBe(42);
    expect(t.err()).toMatch(/querying \d\.\ds/);
    expect(t.err().endsWith("\r\u001b[2K")).toBe(true);
  });
  it("stays quiet for fast work and when stderr is not a terminal", async () => {
    const fast = io(true);
    await withProgress(fast, "q", slow(1, 5), 200);
    expect(fast.err()).toBe("");
    const pipe = io(false);
    await withProgress(pipe, "q", slow(1, 50), 0);
    expect(pipe.err()).toBe("");
  });
});
