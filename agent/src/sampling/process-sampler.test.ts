import { FakeClock } from "@fleetprof/common/clock.fake";
import { describe, expect, it } from "vitest";
import type { PySpyResult, PySpyRun } from "../pyspy/run.js";
import type { FailureKind } from "../pyspy/failure.js";
import { ProcessSampler, type EndedWindow, type SamplerHooks, type SamplerTarget } from "./process-sampler.js";
import { nextBoundary } from "./clock.js";
import { noCuts } from "../pyspy/output.js";

const target: SamplerTarget = { key: "7:1", pid: 7, uid: 0, user: "root", startUnixMs: 1, service: "s", version: "v", labels: {}, labelsTruncated: 0 };

/** A stand-in for one py-spy run whose ending the test decides. */
class FakeRun {
  events: string[];
  startedAt = 0;
  sampling = true;
  resolveDone!: (r: PySpyResult) => void;
  readonly started: Promise<number>;
  readonly done: Promise<PySpyResult>;
  constructor(events: string[], id: number, startedAt: number) {
    this.events = events;
    this.startedAt = startedAt;
    events.push(`start ${String(id)}`);
    this.started = Promise.resolve(startedAt);
    this.done = new Promise((r) => (this.resolveDone = r));
    this.id = id;
  }
  id: number;
  stop(_deadline?: number, now = 0): Promise<PySpyResult> {
    this.events.push(`stop ${String(this.id)}`);
    this.resolveDone(result({ end: "stopped", startedAt: this.startedAt, stopRequestedAt: now, endedAt: now + 20 }));
    return this.done;
  }
  kill(): void {
    this.events.push(`kill ${String(this.id)}`);
  }
  release(): void {
    this.events.push(`release ${String(this.id)}`);
  }
}

function result(over: Partial<PySpyResult>): PySpyResult {
  const output = {
    frames: [{ name: "f", file: "/a.py", line: 1 }],
    threads: [{ threadId: 7n, name: "MainThread", stacks: [{ frames: [0], cut: 0, count: 5 }] }],
    total: 5,
    cuts: noCuts(),
    bytesRead: 0,
  };
  return { end: "stopped", output, recorded: 5, errors: 0, startedAt: 0, stopRequestedAt: undefined, endedAt: 0, ...over };
}

function harness(alive = true): {
  sampler: ProcessSampler;
  clock: FakeClock;
  runs: FakeRun[];
  events: string[];
  windows: EndedWindow[];
  failures: FailureKind[];
} {
  const clock = new FakeClock();
  const events: string[] = [];
  const runs: FakeRun[] = [];
  const windows: EndedWindow[] = [];
  const failures: FailureKind[] = [];
  const hooks: SamplerHooks = {
    startRun: (_pid, gated) => {
      if (gated) events.push("gated");
      const run = new FakeRun(events, runs.length, 1000 * runs.length + 30);
      runs.push(run);
      return run as unknown as PySpyRun;
    },
    onWindow: (w) => windows.push(w),
    onFailure: (_t, kind) => {
      failures.push(kind);
      return 30_000;
    },
    onGap: () => undefined,
    alive: () => alive,
    onError: (_t, err) => {
      throw err;
    },
  };
  const sampler = new ProcessSampler(target, hooks, clock);
  return { sampler, clock, runs, events, windows, failures };
}

const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

describe("continuous sampling of one process", () => {
  it("hands over at a boundary: SIGINT to the running py-spy before the next one starts, windows back to back", async () => {
    const h = harness();
    h.sampler.begin(0);
    h.sampler.rotate(10_000, 2000);
    h.sampler.rotate(20_000, 2000);
    await tick();
    expect(h.events).toEqual(["start 0", "release 0", "stop 0", "start 1", "release 1", "stop 1", "start 2", "release 2"]);
    expect(h.windows.map((w) => [w.startMs, w.endMs, w.outcome])).toEqual([
      [0, 10_000, "complete"],
      [10_000, 20_000, "complete"],
    ]);
    await h.sampler.finish(1000);
    expect(h.windows.at(-1)?.startMs).toBe(20_000);
  });

  it("uses the run prepared ahead of the boundary, released only after the old one got SIGINT", async () => {
    const h = harness();
    h.sampler.begin(0);
    h.sampler.prepare();
    h.sampler.prepare();
    h.sampler.rotate(10_000, 2000);
    await tick();
    expect(h.events).toEqual(["start 0", "release 0", "gated", "start 1", "stop 0", "release 1"]);
    await h.sampler.finish(1000);
  });

  it("kills a prepared run that is not needed", async () => {
    const h = harness(false);
    h.sampler.begin(0);
    h.sampler.prepare();
    h.runs[0]?.resolveDone(result({ end: "process-exited", startedAt: 30, endedAt: 4000 }));
    await tick();
    expect(h.events).toContain("kill 1");
  });

  it("lets a window younger than the minimum run on into the next one", async () => {
    const h = harness();
    h.sampler.begin(9_500);
    h.sampler.rotate(10_000, 2000);
    await tick();
    expect(h.events).toEqual(["start 0", "release 0"]);
    h.sampler.rotate(20_000, 2000);
    await tick();
    expect(h.windows.map((w) => [w.startMs, w.endMs])).toEqual([[9_500, 20_000]]);
  });

  it("does not stop a py-spy still attaching at a boundary, so its failure is seen", async () => {
    const h = harness();
    h.sampler.begin(0);
    const run = h.runs[0];
    if (run === undefined) throw new Error("no run");
    run.sampling = false;
    h.sampler.rotate(10_000, 2000);
    h.sampler.rotate(20_000, 2000);
    await tick();
    expect(h.events).toEqual(["start 0", "release 0"]);
    run.resolveDone(
      result({
        end: "failed",
        output: undefined,
        startedAt: undefined,
        failure: { kind: "unsupported", detail: "Failed to find a python interpreter in the .data section" },
      }),
    );
    await tick();
    expect(h.failures).toEqual(["unsupported"]);
    expect(h.sampler.state).toBe("backoff");
  });

  it("reports the partial window of a process that exits, and stops", async () => {
    const h = harness(false);
    h.sampler.begin(0);
    h.runs[0]?.resolveDone(result({ end: "process-exited", startedAt: 30, endedAt: 4000 }));
    await tick();
    expect(h.windows.map((w) => [w.startMs, w.endMs, w.outcome])).toEqual([[0, 4000, "partial"]]);
    expect(h.sampler.state).toBe("finished");
    h.sampler.rotate(10_000, 2000);
    expect(h.runs).toHaveLength(1);
  });

  it("backs off after a failure and tries again only once the wait is over", async () => {
    const h = harness();
    h.sampler.begin(0);
    h.runs[0]?.resolveDone(result({ end: "failed", output: undefined, startedAt: undefined, failure: { kind: "permission", detail: "Permission Denied" } }));
    await tick();
    expect(h.failures).toEqual(["permission"]);
    expect(h.sampler.state).toBe("backoff");
    h.sampler.rotate(h.clock.now() + 10_000, 2000);
    expect(h.runs).toHaveLength(1);
    h.sampler.rotate(h.clock.now() + 31_000, 2000);
    expect(h.runs).toHaveLength(2);
    expect(h.windows).toEqual([]);
  });

  it("times a window it begins and finishes by itself on the clock it is given", async () => {
    const h = harness();
    h.sampler.begin();
    await h.clock.advance(7_000);
    await h.sampler.finish(1000);
    expect(h.windows.map((w) => [w.startMs, w.endMs, w.outcome])).toEqual([[1_000_000, 1_007_000, "complete"]]);
  });

  it("counts the window of a py-spy killed for hanging as lost", async () => {
    const h = harness();
    h.sampler.begin(0);
    const run = h.runs[0];
    if (run === undefined) throw new Error("no run");
    run.stop = (): Promise<PySpyResult> => {
      run.resolveDone(result({ end: "failed", output: undefined, recorded: undefined, startedAt: 30, failure: { kind: "hung", detail: "did not write" } }));
      return run.done;
    };
    h.sampler.rotate(10_000, 2000);
    await tick();
    expect(h.windows.map((w) => w.outcome)).toEqual(["lost"]);
    expect(h.failures).toEqual(["hung"]);
  });
});

describe("window clock", () => {
  it("aligns windows to the wall clock", () => {
    expect(nextBoundary(12_345, 10_000)).toBe(20_000);
    expect(nextBoundary(20_000, 10_000)).toBe(30_000);
  });
});
