import { describe, expect, it } from "vitest";
import { FakeClock } from "@fleetprof/common/clock.fake";
import { prepareLeadMs, WindowBoundaries, type BoundarySampler } from "./window-boundaries.js";

class FakeSampler implements BoundarySampler {
  lastCoverage: number | undefined;
  constructor(
    private readonly name: string,
    private readonly events: string[],
    private readonly coverage: number | undefined,
  ) {}
  prepare(): void {
    this.events.push(`prepare ${this.name}`);
  }
  rotate(now: number, minWindowMs: number): void {
    this.events.push(`rotate ${this.name} at ${String(now)} min ${String(minWindowMs)}`);
    this.lastCoverage = this.coverage;
  }
}

function harness(windowMs: number, coverages: (number | undefined)[]): { clock: FakeClock; events: string[]; means: number[]; boundaries: WindowBoundaries } {
  const clock = new FakeClock(1_000_003_500);
  const events: string[] = [];
  const means: number[] = [];
  const samplers = new Map(coverages.map((c, i) => [String(i), new FakeSampler(String(i), events, c)]));
  const boundaries = new WindowBoundaries({ windowMs, clock, samplers, onCoverage: (m) => means.push(m) });
  return { clock, events, means, boundaries };
}

describe("window boundaries", () => {
  it("spawns the next runs 1 s ahead and hands over at each multiple of the window on the wall clock", async () => {
    const h = harness(10_000, [0.9, 1]);
    h.boundaries.start();
    await h.clock.advance(5_499);
    expect(h.events).toEqual([]);
    await h.clock.advance(1);
    expect(h.events).toEqual(["prepare 0", "prepare 1"]);
    await h.clock.advance(1_000);
    expect(h.events.slice(2)).toEqual(["rotate 0 at 1000010000 min 2000", "rotate 1 at 1000010000 min 2000"]);
    await h.clock.advance(10_000);
    expect(h.events.slice(4)).toEqual(["prepare 0", "prepare 1", "rotate 0 at 1000020000 min 2000", "rotate 1 at 1000020000 min 2000"]);
  });

  it("reports the mean coverage of the samplers that have one, after each boundary", async () => {
    const h = harness(10_000, [0.9, undefined, 0.7]);
    h.boundaries.start();
    await h.clock.advance(6_500);
    expect(h.means).toHaveLength(1);
    expect(h.means[0]).toBeCloseTo(0.8);
    const none = harness(10_000, [undefined]);
    none.boundaries.start();
    await none.clock.advance(6_500);
    expect(none.means).toEqual([]);
  });

  it("prepares earlier with many processes, never more than a quarter window ahead, and lets short windows run on", async () => {
    expect([prepareLeadMs(10_000, 1), prepareLeadMs(10_000, 50), prepareLeadMs(10_000, 64), prepareLeadMs(2_000, 1)]).toEqual([1000, 2000, 2500, 500]);
    const h = harness(2_000, [1]);
    h.boundaries.start();
    await h.clock.advance(500);
    expect(h.events).toEqual(["rotate 0 at 1000004000 min 500"]);
  });

  it("after stop, no run is prepared or handed over and no timer is left", async () => {
    const early = harness(10_000, [1]);
    early.boundaries.start();
    await early.clock.advance(2_000);
    early.boundaries.stop();
    expect(early.clock.pending).toBe(0);
    const late = harness(10_000, [1]);
    late.boundaries.start();
    await late.clock.advance(6_000);
    late.boundaries.stop();
    expect(late.clock.pending).toBe(0);
    await early.clock.advance(60_000);
    await late.clock.advance(60_000);
    expect([early.events, late.events]).toEqual([[], ["prepare 0"]]);
  });
});
