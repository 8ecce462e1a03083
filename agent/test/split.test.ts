/**
 * Batches larger than the server's max_payload are split, every part under it, none lost:
 * a nats-server with a small max_payload and a workload with hundreds of distinct stacks.
 *
 * How many distinct stacks a 3 s window holds depends on the CPU the workload gets: while it
 * waits for a CPU, py-spy samples the same stack again. With one unique frame per stack
 * (about 21 compressed bytes each) a window needed some 180 distinct stacks to pass the
 * limit; it held about 250 on an idle machine but 100 to 200 on a busy one, so no window was
 * split. Each distinct stack now carries DEPTH unique frames (about 250 bytes), so some 16
 * distinct stacks are enough, and a busy machine still gives well over a hundred.
 */
import { startNats, startWorkload, waitUntil } from "@fleetprof/test";
import { encodeBatch } from "@fleetprof/proto";
import { afterAll, describe, expect, it } from "vitest";
import { agentArgs, marker, profilesOf, readPublished, spawnAgent, totalSamples } from "./helpers.js";

const stops: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const s of stops.reverse()) await s();
});

const MAX_PAYLOAD = 4096;
/** Frames of each distinct stack that no other stack has. */
const DEPTH = 12;

describe("agent batch splitting", () => {
  it("keeps every message under max_payload and loses no sample", async () => {
    const ns = await startNats({ config: `max_payload: ${String(MAX_PAYLOAD)}` });
    stops.push(ns.stop);
    const tag = marker();
    const w = await startWorkload("agent_many_stacks", { args: ["--functions", "600", "--depth", String(DEPTH), "--tag", tag] });
    stops.push(() => w.stop());
    const agent = spawnAgent(agentArgs(ns.url, `--tag ${tag}`, ["--window", "3s"]));
    stops.push(() => agent.stop());

    let largest = 0;
    const split = await waitUntil(
      "a window split into parts",
      async () => {
        const msgs = await readPublished(ns.url);
        for (const m of msgs) largest = Math.max(largest, encodeBatch(m.batch).byteLength);
        return msgs.some((m) => m.batch.parts > 1) ? msgs : undefined;
      },
      60_000,
      1000,
    ).catch((err: unknown) => {
      throw new Error(`${String(err)} (largest message ${String(largest)} bytes, max_payload ${String(MAX_PAYLOAD)})`, { cause: err });
    });
    await agent.stop();
    const published = await readPublished(ns.url);
    for (const m of published) expect(encodeBatch(m.batch).byteLength).toBeLessThanOrEqual(MAX_PAYLOAD);
    // The parts of one window, put together, are the whole window: each stack once.
    const parts = published.filter((m) => m.batch.parts > 1);
    const ids = new Set(parts.map((m) => m.batch.batchId.replace(/\.\d+$/, "")));
    console.log(
      `${String(published.length)} messages, ${String(ids.size)} windows split into ${String(parts.length)} parts; first split seen after ${String(split.length)} messages`,
    );
    for (const id of ids) {
      const group = parts.filter((m) => m.batch.batchId.startsWith(`${id}.`));
      expect(group).toHaveLength(group[0]?.batch.parts ?? -1);
      expect(new Set(group.map((m) => m.batch.part)).size).toBe(group.length);
      const profiles = group.flatMap((m) => m.batch.profiles);
      expect(new Set(profiles.map((p) => p.windowStartUnixMs)).size).toBe(1);
      const frame = (p: (typeof profiles)[0], id: number): string => `${p.strings[p.frames[id]?.function ?? -1] ?? "?"}:${String(p.frames[id]?.line)}`;
      const stacks = profiles.flatMap((p) => p.stacks.map((s) => `${String(s.threadId)}|${s.frameIds.map((f) => frame(p, f)).join(";")}`));
      expect(new Set(stacks).size).toBe(stacks.length);
    }
    expect(totalSamples(profilesOf(published, w.pid))).toBeGreaterThan(100);
  });
});
