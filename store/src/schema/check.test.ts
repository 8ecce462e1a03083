import { describe, expect, it } from "vitest";
import { waitForSchema } from "./check.js";

describe("waitForSchema", () => {
  it("checks until the tables exist, telling once that it waits", async () => {
    const answers = [["samples", "stacks"], ["stacks"], []];
    const waits: (readonly string[])[] = [];
    const missing = await waitForSchema(async () => answers.shift() ?? [], { waitMs: 5000, everyMs: 1, onWait: (m) => waits.push(m) });
    expect(missing).toEqual([]);
    expect(waits).toEqual([["samples", "stacks"]]);
  });

  it("gives up after the wait with what is still missing; a zero wait checks once", async () => {
    let checks = 0;
    const check = async (): Promise<string[]> => {
      checks++;
      return ["samples"];
    };
    expect(await waitForSchema(check, { waitMs: 30, everyMs: 5 })).toEqual(["samples"]);
    expect(checks).toBeGreaterThan(1);
    checks = 0;
    expect(await waitForSchema(check, { waitMs: 0 })).toEqual(["samples"]);
    expect(checks).toBe(1);
  });
});
