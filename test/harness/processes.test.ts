import { describe, expect, it } from "vitest";
import { findTaggedProcesses, spawnTracked, TEST_RUN_ENV } from "./processes.js";

describe("process tracking", () => {
  it("tags children so strays can be found, and finds none once they are stopped", async () => {
    const runId = process.env[TEST_RUN_ENV] ?? "local";
    const child = spawnTracked("sleep", ["30"]);
    expect(findTaggedProcesses(runId)).toContain(child.pid);
    await child.stop();
    expect(findTaggedProcesses(runId)).not.toContain(child.pid);
  });
});
