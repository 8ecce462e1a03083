import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defineOptions } from "@fleetprof/common";
import { describe, expect, it } from "vitest";
import { componentConfig } from "./components.js";
import { lockDataDir } from "./data-dir-lock.js";
import { canTrace } from "./prerequisites.js";

describe("canTrace", () => {
  it("is true for root and for CAP_SYS_PTRACE, false otherwise", () => {
    expect(canTrace("CapEff:\t0000000000000000\n", 0)).toBe(true);
    expect(canTrace("CapEff:\t0000000000080000\n", 1000)).toBe(true);
    expect(canTrace("CapEff:\t0000000000000000\n", 1000)).toBe(false);
  });
});

describe("data dir lock", () => {
  it("refuses a second up on a live owner, takes over a dead one, releases on stop", () => {
    const dir = mkdtempSync(join(tmpdir(), "fleetprof-lock-"));
    writeFileSync(join(dir, "up.pid"), "1\n"); // pid 1 is alive
    expect(() => lockDataDir(dir)).toThrow(/another fleetprof up \(pid 1\) is using/);
    writeFileSync(join(dir, "up.pid"), "999999999\n");
    const unlock = lockDataDir(dir);
    expect(readFileSync(join(dir, "up.pid"), "utf8").trim()).toBe(String(process.pid));
    unlock();
    expect(() => readFileSync(join(dir, "up.pid"))).toThrow();
  });
});

describe("componentConfig", () => {
  it("fills in only the options a component has, over its defaults", () => {
    const schema = defineOptions({ "nats-url": { type: "string", doc: "", default: "x" }, rate: { type: "number", doc: "", default: 100 } });
    expect(componentConfig(schema, { "nats-url": "nats://h:1", port: 5 }, { FLEETPROF_RATE: "7" })).toEqual({ natsUrl: "nats://h:1", rate: 7 });
  });
});
