/**
 * The py-spy run lifecycle against stand-in scripts that behave like py-spy does in the
 * cases that are hard to provoke with the real one (hung, crashing, refusing).
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sleep, systemClock } from "@fleetprof/common";
import { FakeClock } from "@fleetprof/common/clock.fake";
import { afterAll, describe, expect, it } from "vitest";
import { classifyFailure, firstErrorLine } from "./failure.js";
import { PySpyRun, recordArgs, type PySpyRunOptions } from "./run.js";

const dir = mkdtempSync(join(tmpdir(), "agent-fake-pyspy-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function script(name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

// What py-spy writes (--format speedscope): one thread, seven samples of one frame.
const written = join(dir, "written.json");
writeFileSync(
  written,
  JSON.stringify({
    profiles: [
      {
        type: "sampled",
        name: 'Thread 1 "MainThread"',
        unit: "seconds",
        startValue: 0,
        endValue: 0.07,
        samples: Array.from({ length: 7 }, () => [0]),
        weights: Array.from({ length: 7 }, () => 0.01),
      },
    ],
    shared: { frames: [{ name: "f", file: "/a.py", line: 1, col: null }] },
  }),
);

// Like py-spy: announce, sample until SIGINT, then write the output file and the summary.
const good = script(
  "good.sh",
  `out=""; while [ $# -gt 0 ]; do [ "$1" = "--output" ] && out="$2"; shift; done
trap 'cp "${written}" "$out"; echo "py-spy> Wrote speedscope file to $out. Samples: 7 Errors: 1"; exit 0' INT
echo "py-spy> Sampling process 100 times a second. Press Control-C to exit."
while true; do sleep 0.05; done`,
);
// Like py-spy running out of memory, but only under a 64 MiB data limit (ulimit -d is in KiB).
const limited = script(
  "limited.sh",
  `[ "$(ulimit -d)" = "65536" ] || { echo "Error: no memory limit" >&2; exit 1; }
echo "py-spy> Sampling process 100 times a second."
sleep 0.2
echo "memory allocation of 256 bytes failed" >&2
kill -ABRT $$`,
);
const hung = script("hung.sh", `trap '' INT\necho "py-spy> Sampling process 100 times a second."\nexec sleep 30`);
const silent = script("silent.sh", "exec sleep 30");
const denied = script(
  "denied.sh",
  `echo "Permission Denied: Try running again with elevated permissions by going 'sudo env \\"PATH=\\$PATH\\" !!'" >&2; exit 1`,
);

const opts = (pySpy: string, over: Partial<PySpyRunOptions> = {}): PySpyRunOptions => ({
  pySpy,
  pid: 1,
  rate: 100,
  mode: "cpu",
  nonblocking: true,
  outputPath: join(dir, `${String(Math.random())}.json`),
  deadlineMs: 1000,
  ...over,
});

describe("py-spy run", () => {
  it("builds the record command line for each mode", () => {
    const base = opts("py-spy", { outputPath: "/o" });
    expect(recordArgs(base)).toEqual(["record", "--pid", "1", "--rate", "100", "--format", "speedscope", "--output", "/o", "--nonblocking"]);
    expect(recordArgs({ ...base, mode: "wall", nonblocking: false })).toContain("--idle");
    expect(recordArgs({ ...base, mode: "gil", durationSeconds: 5, native: true })).toEqual(expect.arrayContaining(["--gil", "--native", "--duration", "5"]));
  });

  it("stops with SIGINT and returns what py-spy wrote, with its tick and error counts", async () => {
    const run = new PySpyRun(opts(good), systemClock);
    const started = await run.started;
    const r = await run.stop();
    expect(r).toMatchObject({ end: "stopped", recorded: 7, errors: 1, startedAt: started });
    expect(r.output?.frames).toEqual([{ name: "f", file: "/a.py", line: 1 }]);
    expect(r.output?.threads).toEqual([{ threadId: 1n, name: "MainThread", stacks: [{ frames: [0], cut: 0, count: 7 }] }]);
  });

  it("stamps its start, stop request and end with the clock it is given", async () => {
    const clock = new FakeClock(5_000);
    const run = new PySpyRun(opts(good), clock);
    expect(run.spawnedAt).toBe(5_000);
    expect(await run.started).toBe(5_000);
    await clock.advance(3_000);
    const r = await run.stop();
    expect(r).toMatchObject({ end: "stopped", startedAt: 5_000, stopRequestedAt: 8_000, endedAt: 8_000 });
  });

  it("holds a gated run until it is released", async () => {
    const run = new PySpyRun(opts(good), systemClock, true);
    let started = false;
    void run.started.then(() => (started = true));
    // A fixed wait: only time passing shows that the run did not start by itself.
    await sleep(300);
    expect(started).toBe(false);
    run.release();
    await run.started;
    expect((await run.stop()).end).toBe("stopped");
    const unused = new PySpyRun(opts(good), systemClock, true);
    unused.kill();
    expect((await unused.done).startedAt).toBeUndefined();
  });

  it("kills a py-spy that ignores SIGINT after the deadline: the window is lost", async () => {
    const run = new PySpyRun(opts(hung, { deadlineMs: 300 }), systemClock);
    await run.started;
    const t0 = Date.now();
    const r = await run.stop();
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(r).toMatchObject({ end: "failed", output: undefined, failure: { kind: "hung" } });
  });

  it("kills a py-spy that never starts sampling", async () => {
    const run = new PySpyRun(opts(silent, { deadlineMs: 300 }), systemClock);
    await expect(run.started).rejects.toThrow(/did not start sampling/);
    expect((await run.done).failure?.kind).toBe("hung");
  });

  it("says permission denied when py-spy does", async () => {
    const r = await new PySpyRun(opts(denied), systemClock).done;
    expect(r.failure?.kind).toBe("permission");
  });

  it("runs py-spy under its memory limit and says when it ran out", async () => {
    const run = new PySpyRun(opts(limited, { maxMemoryBytes: 64 * 1024 * 1024 }), systemClock);
    const r = await run.done;
    expect(r).toMatchObject({ end: "failed", output: undefined, failure: { kind: "memory" } });
    await expect(run.started).resolves.toBeGreaterThan(0);
    expect(classifyFailure("py-spy> 2.1s behind in sampling\nmemory allocation of 256 bytes failed\n")).toBe("memory");
  });

  it("says not installed when the binary does not exist", async () => {
    const r = await new PySpyRun(opts(join(dir, "nope")), systemClock).done;
    expect(r.failure?.kind).toBe("not-installed");
  });

  it("classifies what py-spy 0.4 prints", () => {
    expect(classifyFailure("Error: Failed to find python version from target process\n\nStack backtrace:")).toBe("unsupported");
    expect(classifyFailure("Error: Failed to get process executable name. Check that the process is running.")).toBe("gone");
    expect(classifyFailure("Error: something new")).toBe("other");
    expect(firstErrorLine("\nError: Failed to find python version\n\nStack backtrace:\n   0: x")).toBe("Error: Failed to find python version");
  });
});
