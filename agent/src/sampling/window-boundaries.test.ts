import { describe, expect, it } from "vitest";
import type { CancelTimer, Clock } from "./clock.js";
import { prepareLeadMs, WindowBoundaries, type BoundarySampler } from "./window-boundaries.js";

/** A clock the test moves by hand: timers fire, in order, when `advance` passes their time. */
class FakeClock implements Clock {
  t: number;
  #timers: { at: number; fn: () => void; seq: number }[] = [];
  #seq = 0;
  constructor(t: number) {
    this.t = t;
  }
  now = (): number => this.t;
  after = (ms: number, fn: () => void): CancelTimer => {
    const timer = { at: this.t + ms, fn, seq: this.#seq++ };
    this.#timers.push(timer);
    return () => {
      this.#timers = this.#timers.filter((x) => x !== timer);
    };
  };
  every = (): CancelTimer => {
    throw new Error("not used");
  };
  get pending(): number {
    return this.#timers.length;
  }
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      const next = this.#timers.filter((x) => x.at <= end).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (next === undefined) break;
      this.#timers = this.#timers.filter((x) => x !== next);
      this.t = next.at;
      next.fn();
    }
    this.t = end;
  }
}

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
  it("spawns the next runs 1 s ahead and hands over at each multiple of the window on the wall clock", () => {
    const h = harness(10_000, [0.9, 1]);
    h.boundaries.start();
    h.clock.advance(5_499);
    expect(h.events).toEqual([]);
    h.clock.advance(1);
    expect(h.events).toEqual(["prepare 0", "prepare 1"]);
    h.clock.advance(1_000);
    expect(h.events.slice(2)).toEqual(["rotate 0 at 1000010000 min 2000", "rotate 1 at 1000010000 min 2000"]);
    h.clock.advance(10_000);
    expect(h.events.slice(4)).toEqual(["prepare 0", "prepare 1", "rotate 0 at 1000020000 min 2000", "rotate 1 at 1000020000 min 2000"]);
  });

  it("reports the mean coverage of the samplers that have one, after each boundary", () => {
    const h = harness(10_000, [0.9, undefined, 0.7]);
    h.boundaries.start();
    h.clock.advance(6_500);
    expect(h.means).toHaveLength(1);
    expect(h.means[0]).toBeCloseTo(0.8);
    const none = harness(10_000, [undefined]);
    none.boundaries.start();
    none.clock.advance(6_500);
    expect(none.means).toEqual([]);
  });

  it("prepares earlier with many processes, never more than a quarter window ahead, and lets short windows run on", () => {
    expect([prepareLeadMs(10_000, 1), prepareLeadMs(10_000, 50), prepareLeadMs(10_000, 64), prepareLeadMs(2_000, 1)]).toEqual([1000, 2000, 2500, 500]);
    const h = harness(2_000, [1]);
    h.boundaries.start();
    h.clock.advance(500);
    expect(h.events).toEqual(["rotate 0 at 1000004000 min 500"]);
  });

  it("after stop, no run is prepared or handed over and no timer is left", () => {
    const early = harness(10_000, [1]);
    early.boundaries.start();
    early.clock.advance(2_000);
    early.boundaries.stop();
    expect(early.clock.pending).toBe(0);
    const late = harness(10_000, [1]);
    late.boundaries.start();
    late.clock.advance(6_000);
    late.boundaries.stop();
    expect(late.clock.pending).toBe(0);
    early.clock.advance(60_000);
    late.clock.advance(60_000);
    expect([early.events, late.events]).toEqual([[], ["prepare 0"]]);
  });
});
