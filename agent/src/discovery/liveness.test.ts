import { describe, expect, it } from "vitest";
import { isAlive } from "./liveness.js";
import type { ProcStat } from "./proc.js";

const proc = (stat: ProcStat | undefined): { stat: () => ProcStat | undefined } => ({ stat: () => stat });
const target = { pid: 40, key: "40:12345" };

describe("whether a profiled process is alive", () => {
  it("is alive with the same pid and start time", () => {
    expect(isAlive(proc({ pid: 40, comm: "python3", state: "S", ppid: 1, startTicks: 12345 }), target)).toBe(true);
  });

  it("is not when the pid is gone, reused by a later process, or a zombie", () => {
    expect(isAlive(proc(undefined), target)).toBe(false);
    expect(isAlive(proc({ pid: 40, comm: "python3", state: "R", ppid: 1, startTicks: 99999 }), target)).toBe(false);
    expect(isAlive(proc({ pid: 40, comm: "python3", state: "Z", ppid: 1, startTicks: 12345 }), target)).toBe(false);
  });
});
