/**
 * `fleetprof up --nats-url … --no-agent`: uses a NATS server it did not start, serves the
 * query API, refuses a second `up` on the same data dir, and stops cleanly on SIGTERM.
 */
import { join } from "node:path";
import { freePort, spawnTracked, startNats, tempDir } from "@fleetprof/test";
import { describe, expect, it } from "vitest";
import { connectQueryApi } from "../src/client/connect.js";

const BIN = join(import.meta.dirname, "..", "src", "bin.ts");
const run = (args: string[]) =>
  spawnTracked(process.execPath, ["--conditions=@fleetprof/source", "--import", "tsx", BIN, ...args], { env: { FLEETPROF_LOG_LEVEL: "warn" } });

describe("fleetprof up with an external NATS server", () => {
  it("uses it, guards its data dir, and stops on SIGTERM", async () => {
    const nats = await startNats();
    const dataDir = join(tempDir("fleetprof-up-ext-"), "d");
    const apiPort = await freePort();
    const up = run(["up", "--nats-url", nats.url, "--no-agent", "--data-dir", dataDir, "--api-port", String(apiPort)]);
    await up.waitFor(/fleetprof up: ready/, 90_000);
    expect(up.stdout()).toContain(`NATS        ${nats.url}\n`);
    expect(up.stdout()).toContain("agent       off (--no-agent)");
    expect(up.stdout()).not.toContain("nats-server with JetStream");

    const client = await connectQueryApi({ api: `127.0.0.1:${String(apiPort)}`, tls: false, tlsCa: undefined, token: undefined, timeout: 10_000 });
    const services = await client.listServices({});
    expect(services.services).toEqual([]);
    client.close();

    const second = run(["up", "--nats-url", nats.url, "--no-agent", "--data-dir", dataDir, "--api-port", String(await freePort())]);
    expect(await second.exited).toBe(2);
    expect(second.stderr()).toMatch(
      new RegExp(`fleetprof up: another fleetprof up \\(pid \\d+\\) is using ${dataDir}: stop it first, or pass a different --data-dir`),
    );

    up.proc.kill("SIGTERM");
    expect(await up.exited).toBe(0);
    expect(up.stdout()).toContain("fleetprof up: stopped");
    expect(nats.running()).toBe(true);
  });
});
