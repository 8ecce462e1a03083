/**
 * No loss: nats-server goes away for 20 s while the agent samples; when it is back every
 * window's batch arrives exactly once. Then SIGTERM: the current window is flushed, the agent
 * exits within seconds and leaves no py-spy behind.
 */
import { sleep } from "@fleetprof/common";
import { startNats, startWorkload, waitUntil } from "@fleetprof/test";
import { afterAll, describe, expect, it } from "vitest";
import { agentArgs, marker, profilesOf, pySpyChildren, readPublished, spawnAgent, stillRunning } from "./helpers.js";

const stops: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const s of stops.reverse()) await s();
});

describe("agent with NATS down", () => {
  it("spools while nats-server is stopped for 20 s and delivers every window exactly once", async () => {
    const ns = await startNats();
    stops.push(ns.stop);
    const tag = marker();
    const w = await startWorkload("cpu_split", { args: ["--alpha", "20", "--beta", "10", "--gamma", "0", "--seconds", tag] });
    stops.push(() => w.stop());
    const agent = spawnAgent(agentArgs(ns.url, `--seconds ${tag}`, ["--window", "2s"]));
    stops.push(() => agent.stop());

    await waitUntil("a first window", async () => profilesOf(await readPublished(ns.url), w.pid).length >= 1 || undefined, 30_000, 500);
    await ns.stop();
    const downAt = Date.now();
    // The outage itself, ten windows long: its length is what the test is about.
    await sleep(20_000);
    await ns.start();
    const upAt = Date.now();
    // Windows that ended during the outage, and a couple after, must all arrive.
    await waitUntil(
      "windows from after the outage",
      async () => profilesOf(await readPublished(ns.url), w.pid).some((p) => Number(p.windowStartUnixMs) > upAt + 2000) || undefined,
      30_000,
      500,
    );

    const spies = pySpyChildren(agent.pid);
    // The running py-spy, and near a boundary also the next window's (spawned ahead, gated).
    expect(spies.length).toBeGreaterThanOrEqual(1);
    const t0 = Date.now();
    agent.proc.kill("SIGTERM");
    expect(await agent.exited).toBe(0);
    const exitMs = Date.now() - t0;
    expect(exitMs).toBeLessThan(5000);
    expect(stillRunning(spies)).toEqual([]);

    const published = await readPublished(ns.url);
    const profiles = profilesOf(published, w.pid);
    console.log(`${String(profiles.length)} windows in ${String(published.length)} messages; exit after SIGTERM in ${String(exitMs)} ms`);
    // Exactly once: no window twice, every message id once.
    const starts = profiles.map((p) => p.windowStartUnixMs);
    expect(new Set(starts).size).toBe(starts.length);
    const ids = published.map((m) => m.msgId);
    expect(new Set(ids).size).toBe(ids.length);
    // None lost: each window starts where the previous one ended, from the first to the last.
    for (let i = 1; i < profiles.length; i++) expect(profiles[i]?.windowStartUnixMs).toBe(profiles[i - 1]?.windowEndUnixMs);
    const first = Number(profiles[0]?.windowStartUnixMs);
    const last = Number(profiles.at(-1)?.windowEndUnixMs);
    expect(first).toBeLessThan(downAt);
    // The final window is the one SIGTERM flushed: it ends at the stop, not on a boundary.
    expect(last).toBeGreaterThanOrEqual(t0 - 100);
    expect(profiles.filter((p) => Number(p.windowEndUnixMs) > downAt && Number(p.windowStartUnixMs) < upAt).length).toBeGreaterThanOrEqual(9);
    for (const p of profiles) expect(p.stacks.length).toBeGreaterThan(0);
    const logs = agent.logs();
    expect(logs.some((l) => /lost the NATS connection/.test(l.msg))).toBe(true);
    expect(logs.some((l) => /NATS is back/.test(l.msg))).toBe(true);
  });
});
