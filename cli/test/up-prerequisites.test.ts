/** `fleetprof up` on a machine without its prerequisites: one line each, with the fix. */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "@fleetprof/test";
import { describe, expect, it } from "vitest";

const BIN = join(import.meta.dirname, "..", "src", "bin.ts");

describe("fleetprof up without prerequisites", () => {
  it("names each missing program with its fix, starts nothing, exits non-zero", () => {
    const dataDir = join(tempDir("fleetprof-prereq-"), "d");
    const r = spawnSync(process.execPath, ["--conditions=@fleetprof/source", "--import", "tsx", BIN, "up", "--demo", "--data-dir", dataDir], {
      encoding: "utf8",
      env: { PATH: "/nonexistent", HOME: process.env["HOME"] ?? "/root" },
      timeout: 60_000,
    });
    expect(r.status).toBe(1);
    const lines = r.stderr.trim().split("\n");
    expect(lines).toContain("fleetprof up: nats-server not found: apt-get install nats-server (or point at a running server with --nats-url)");
    expect(lines).toContain("fleetprof up: python3 not found: apt-get install python3");
    expect(lines).toContain("fleetprof up: py-spy not found: pip install py-spy==0.4.2 (or pass --py-spy PATH)");
    expect(lines).toHaveLength(3);
    expect(existsSync(dataDir)).toBe(false);
  });
});
