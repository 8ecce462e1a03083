/**
 * Tags every process the run starts (FLEETPROF_TEST_RUN) and, at the end, fails the run if any
 * tagged process is still alive — after killing it, so nothing outlives the run.
 */
import { randomUUID } from "node:crypto";
import { findTaggedProcesses, TEST_RUN_ENV } from "./processes.js";

export default function setup(): () => Promise<void> {
  const runId = randomUUID();
  process.env[TEST_RUN_ENV] = runId;
  return async () => {
    // Give processes killed a moment ago time to be reaped.
    let strays = findTaggedProcesses(runId);
    for (let i = 0; i < 20 && strays.length > 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      strays = findTaggedProcesses(runId);
    }
    if (strays.length > 0) {
      for (const pid of strays) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          // already gone
        }
      }
      throw new Error(`processes outlived the test run (killed now): ${strays.join(", ")}`);
    }
  };
}
