/** Whether a profiled process still exists: same pid, same start time, not a zombie. */
import type { ProcFs } from "./proc.js";

/** True while the process keyed `pid:startTicks` still runs (a reused pid is another process). */
export function isAlive(proc: Pick<ProcFs, "stat">, target: { pid: number; key: string }): boolean {
  const stat = proc.stat(target.pid);
  return stat !== undefined && `${String(target.pid)}:${String(stat.startTicks)}` === target.key && stat.state !== "Z";
}
