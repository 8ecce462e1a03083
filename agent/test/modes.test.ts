/**
 * The sampling mode is a per-agent setting that travels with every profile: in wall mode
 * (py-spy --idle) the threads of a process that is blocked, and so never on a CPU, show up.
 */
import { ProfileMode } from "@fleetprof/proto";
import { startNats, startWorkload, waitUntil } from "@fleetprof/test";
import { afterAll, describe, expect, it } from "vitest";
import { agentArgs, marker, profilesOf, readPublished, samplesIn, spawnAgent, totalSamples } from "./helpers.js";

const stops: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const s of stops.reverse()) await s();
});

describe("agent modes", () => {
  it("samples idle threads in wall mode and says so on every profile", async () => {
    const ns = await startNats();
    stops.push(ns.stop);
    const tag = marker();
    // Main thread blocked on a lock that a second thread ("holder") holds forever; the extra argument is our tag.
    const w = await startWorkload("blocked", { args: [tag] });
    stops.push(() => w.stop());
    const agent = spawnAgent(agentArgs(ns.url, `blocked\\.py ${tag}`, ["--window", "2s", "--mode", "wall"]));
    stops.push(() => agent.stop());

    const profiles = await waitUntil("two wall-mode windows", async () => {
      const ps = profilesOf(await readPublished(ns.url), w.pid);
      return ps.length >= 2 ? ps : undefined;
    });
    await agent.stop();
    for (const p of profiles) expect(p.mode).toBe(ProfileMode.WALL);
    const threads = new Set(profiles.flatMap((p) => p.stacks.map((s) => p.strings[s.thread])));
    expect(threads).toEqual(new Set(["MainThread", "holder"]));
    // Both threads all the time: about 2 samples per tick.
    const total = totalSamples(profiles);
    expect(samplesIn(profiles, "wait_for_lock") / total).toBeGreaterThan(0.35);
    expect(samplesIn(profiles, "hold_lock_forever") / total).toBeGreaterThan(0.35);
  });
});
