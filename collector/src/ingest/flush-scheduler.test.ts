import { describe, expect, it } from "vitest";
import { flushDue, flushWait, type FlushState } from "./flush-scheduler.js";

const o = { flushRows: 1000, flushInterval: 1000 };
const now = 50_000;
const state = (s: Partial<FlushState>): FlushState => ({ oldest: now - 10, rows: 10, committing: false, stopping: false, ...s });

describe("flush scheduler", () => {
  it("writes as soon as flushRows rows wait, however young they are", () => {
    expect(flushDue(state({ rows: 999 }), now, o)).toBe(false);
    expect(flushDue(state({ rows: 1000 }), now, o)).toBe(true);
  });

  it("writes once the oldest waiting message is flushInterval old, and waits just until then", () => {
    expect(flushDue(state({ oldest: now - 999 }), now, o)).toBe(false);
    expect(flushWait(state({ oldest: now - 999 }), now, o)).toBe(1);
    expect(flushWait(state({ oldest: now - 400 }), now, o)).toBe(600);
    expect(flushDue(state({ oldest: now - 1000 }), now, o)).toBe(true);
  });

  it("keeps gathering while a write is in flight, even past flushRows", () => {
    expect(flushDue(state({ rows: 5000, oldest: now - 5000, committing: true }), now, o)).toBe(false);
    expect(flushWait(state({ committing: true }), now, o)).toBe(1000);
  });

  it("writes whatever waits at once when stopping, and nothing when nothing waits", () => {
    expect(flushDue(state({ stopping: true }), now, o)).toBe(true);
    expect(flushDue(state({ oldest: undefined, rows: 0, stopping: true }), now, o)).toBe(false);
    expect(flushWait(state({ oldest: undefined, rows: 0 }), now, o)).toBe(1000);
  });
});
