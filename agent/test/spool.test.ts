/**
 * The spool outlives the agent: windows sampled while NATS was never reachable are published
 * by the next agent started on the same spool, and republishing a spool whose messages had
 * already arrived adds nothing (same message ids, JetStream's duplicate window).
 */
import { cpSync, existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { freePort, startNats, startWorkload, tempDir, waitUntil } from "@fleetprof/test";
import { afterAll, describe, expect, it } from "vitest";
import { agentArgs, marker, profilesOf, readPublished, spawnAgent } from "./helpers.js";

const stops: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const s of stops.reverse()) await s();
});

const spoolFiles = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".msg")) : []);

describe("agent spool across restarts", () => {
  it("publishes what an earlier run spooled, exactly once", async () => {
    const port = await freePort();
    const url = `nats://127.0.0.1:${String(port)}`;
    const spool = join(tempDir("agent-spool-restart-"), "spool");
    const tag = marker();
    const w = await startWorkload("cpu_split", { args: ["--alpha", "10", "--beta", "10", "--gamma", "0", "--seconds", tag] });
    stops.push(() => w.stop());

    // 1. No NATS at all: windows go to the spool on disk.
    const withSpool = (args: string[]): string[] => {
      args[args.indexOf("--spool-dir") + 1] = spool;
      return args;
    };
    const first = spawnAgent(withSpool(agentArgs(url, `--seconds ${tag}`, ["--window", "1s"])));
    stops.push(() => first.stop());
    await waitUntil("three spooled windows", () => (spoolFiles(spool).length >= 3 ? true : undefined), 30_000);
    first.proc.kill("SIGTERM");
    expect(await first.exited).toBe(0);
    const spooled = spoolFiles(spool).length;
    expect(first.logs().some((l) => /cannot connect to NATS/.test(l.msg))).toBe(true);
    await w.stop();

    // 2. NATS is there now: the next agent on the same spool publishes it all.
    const copy = join(tempDir("agent-spool-copy-"), "spool");
    cpSync(spool, copy, { recursive: true });
    const ns = await startNats({ port });
    stops.push(ns.stop);
    const second = spawnAgent(withSpool(agentArgs(url, "never-matches-anything")));
    stops.push(() => second.stop());
    const profiles = await waitUntil("the spooled windows", async () => {
      const ps = profilesOf(await readPublished(url), w.pid);
      return ps.length >= spooled ? ps : undefined;
    });
    await waitUntil("an empty spool", () => (spoolFiles(spool).length === 0 ? true : undefined));
    await second.stop();
    // Every spooled message once; a message may hold two windows of the process (the last window,
    // flushed at SIGTERM, joins the batch of the one before when it ends within the batcher's linger).
    expect(await readPublished(url)).toHaveLength(spooled);
    expect(profiles.length).toBeGreaterThanOrEqual(spooled);
    for (let i = 1; i < profiles.length; i++) expect(profiles[i]?.windowStartUnixMs).toBe(profiles[i - 1]?.windowEndUnixMs);

    // 3. The same messages again (a spool whose acks were lost): nothing new is stored.
    const third = spawnAgent([...agentArgs(url, "never-matches-anything").slice(0, -2), "--spool-dir", copy]);
    stops.push(() => third.stop());
    await waitUntil("the copied spool to drain", () => (spoolFiles(copy).length === 0 ? true : undefined));
    await third.stop();
    const after = await readPublished(url);
    expect(after).toHaveLength(spooled);
  });
});
