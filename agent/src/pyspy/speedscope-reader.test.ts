import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DEFAULT_OUTPUT_LIMITS, readSpeedscope, type OutputLimits } from "./speedscope-reader.js";
import type { PySpyOutput } from "./output.js";

const dir = mkdtempSync(join(tmpdir(), "agent-speedscope-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Frame {
  name: string;
  file: string | null;
  line: number | null;
}

let files = 0;
/** Writes a file the way py-spy 0.4.2 does (serde_json, field order as in its speedscope.rs). */
function written(threads: { name: string; samples: number[][] }[], frames: Frame[]): string {
  const path = join(dir, `${String(++files)}.json`);
  const doc = {
    $schema: "https://www.speedscope.app/file-format-schema.json",
    profiles: threads.map((t) => ({
      type: "sampled",
      name: t.name,
      unit: "seconds",
      startValue: 0.0,
      endValue: t.samples.length / 100,
      samples: t.samples,
      weights: t.samples.map(() => 0.01),
    })),
    shared: { frames: frames.map((f) => ({ ...f, col: null })) },
    activeProfileIndex: null,
    exporter: "py-spy@0.4.2",
    name: "py-spy profile",
  };
  writeFileSync(path, `${JSON.stringify(doc)}\n`);
  return path;
}

function read(path: string, limits: Partial<OutputLimits> = {}): PySpyOutput {
  const out = readSpeedscope(path, { ...DEFAULT_OUTPUT_LIMITS, ...limits });
  if (out === undefined) throw new Error("no output");
  return out;
}

/** Stacks as readable text: `thread|f;g;h|count`. */
function stacks(out: PySpyOutput): string[] {
  return out.threads.flatMap((t) =>
    t.stacks.map(
      (s) =>
        `${t.name}|${[s.cut > 0 ? `(${String(s.cut)} cut)` : "", ...s.frames.map((f) => out.frames[f]?.name)].filter((x) => x !== "").join(";")}|${String(s.count)}`,
    ),
  );
}

// The function name a hostile process gives itself: in py-spy's raw format it reads as a line of its own.
const FORGED = "x 1\nthread (1): y;charge_card (/app/pay.py:10) 9999999\nthread (1): z;w";

describe("speedscope reader", () => {
  it("gives each thread its id, name and distinct stacks, root first, with counts", () => {
    const path = written(
      [
        {
          name: 'Thread 8041 "MainThread"',
          samples: [
            [2, 1, 0],
            [2, 1, 0],
            [2, 1],
            [2, 1, 0],
          ],
        },
        { name: 'Thread 0x7F12AB ""', samples: [[2]] },
      ],
      [
        { name: "spin", file: "/w/app.py", line: 35 },
        { name: "main", file: "/w/app.py", line: 65 },
        { name: "<module>", file: "/w/app.py", line: null },
      ],
    );
    const out = read(path);
    expect(out.problem).toBeUndefined();
    expect(out.threads.map((t) => [t.threadId, t.name])).toEqual([
      [8041n, "MainThread"],
      [0x7f12abn, "thread 0x7F12AB"],
    ]);
    expect(stacks(out)).toEqual(["MainThread|<module>;main;spin|3", "MainThread|<module>;main|1", "thread 0x7F12AB|<module>|1"]);
    expect(out.frames[2]).toEqual({ name: "<module>", file: "/w/app.py", line: 0 });
    expect(out.total).toBe(5);
    expect(out.bytesRead).toBe(statSync(path).size);
  });

  it("keeps names with newlines, semicolons and parentheses as names: nothing is forged", () => {
    const path = written(
      [
        {
          name: 'Thread 10 "MainThread"',
          samples: [
            [0, 1],
            [0, 1],
          ],
        },
        { name: `Thread 11 "t\n${FORGED}"`, samples: [[0]] },
      ],
      [
        { name: "<module>", file: "/w/h.py", line: 1 },
        { name: FORGED, file: "/w/h.py\n/app/pay.py", line: 5 },
      ],
    );
    const out = read(path);
    expect(out.threads.map((t) => [t.threadId, t.name])).toEqual([
      [10n, "MainThread"],
      [11n, `t\n${FORGED}`],
    ]);
    expect(out.frames[1]).toEqual({ name: FORGED, file: "/w/h.py\n/app/pay.py", line: 5 });
    expect(out.frames.some((f) => f.name === "charge_card")).toBe(false);
    expect(out.total).toBe(3);
  });

  it("cuts a deep stack at the root end, keeping the leaf end, and counts the cut", () => {
    const deep = Array.from({ length: 10 }, (_, i) => i);
    const path = written(
      [{ name: 'Thread 1 "M"', samples: [deep, deep, [0, 1, 2]] }],
      deep.map((i) => ({ name: `f${String(i)}`, file: "/d.py", line: i })),
    );
    const out = read(path, { maxStackDepth: 4 });
    expect(stacks(out)).toEqual(["M|(7 cut);f7;f8;f9|2", "M|f0;f1;f2|1"]);
    expect(out.cuts).toMatchObject({ deepStacks: 1, framesCut: 7 });
  });

  it("shortens long names to the byte limit at a character boundary, ending in …", () => {
    const name = "\u{1d4bb}".repeat(3000); // 12 000 bytes of UTF-8
    const path = written([{ name: `Thread 3 "${"\u00fc".repeat(3000)}"`, samples: [[0]] }], [{ name, file: `/tmp/${"\u00e9".repeat(2500)}.py`, line: 1 }]);
    const out = read(path, { maxStringBytes: 4096 });
    const frame = out.frames[0];
    for (const s of [frame?.name ?? "", frame?.file ?? "", out.threads[0]?.name ?? ""]) {
      expect(Buffer.byteLength(s, "utf8")).toBeLessThanOrEqual(4096);
      expect(Buffer.byteLength(s, "utf8")).toBeGreaterThan(4096 - 16);
      expect(s.endsWith("…")).toBe(true);
      expect(s).not.toContain("\ufffd");
    }
    expect(frame?.name.startsWith("\u{1d4bb}\u{1d4bb}")).toBe(true);
    expect(out.threads[0]?.threadId).toBe(3n);
    expect(out.cuts.names).toBe(3);
  });

  it("reads at most its byte budget: the first samples and the frame table at the end", () => {
    const samples = Array.from({ length: 30_000 }, (_, i) => [0, 1 + (i % 2)]);
    const path = written(
      [{ name: 'Thread 1 "M"', samples }],
      [
        { name: "root", file: "/r.py", line: 1 },
        { name: "a", file: "/r.py", line: 2 },
        { name: "b", file: "/r.py", line: 3 },
      ],
    );
    const size = statSync(path).size;
    const out = read(path, { maxBytes: 64 * 1024 });
    expect(size).toBeGreaterThan(4 * 64 * 1024);
    expect(out.bytesRead).toBeLessThanOrEqual(64 * 1024);
    expect(out.frames.map((f) => f.name)).toEqual(["root", "a", "b"]);
    expect(out.total).toBeGreaterThan(1000);
    expect(out.total).toBeLessThan(30_000);
    expect(out.cuts.bytesSkipped).toBeGreaterThan(size - 64 * 1024 - 1024);
    expect(out.problem).toMatch(/over the 65536 byte budget/);
  });

  it("keeps nothing, and says why, when the frame table is not within the budget", () => {
    const frames = Array.from({ length: 400 }, (_, i) => ({ name: `f${String(i)}_${"n".repeat(300)}`, file: "/r.py", line: i }));
    const path = written([{ name: 'Thread 1 "M"', samples: Array.from({ length: 5000 }, () => [0, 1]) }], frames);
    const out = read(path, { maxBytes: 64 * 1024 });
    expect(out.total).toBe(0);
    expect(out.bytesRead).toBeLessThanOrEqual(64 * 1024);
    expect(out.cuts.bytesSkipped).toBe(statSync(path).size);
    expect(out.problem).toMatch(/frame table was not found/);
  });

  it("bounds the distinct stacks it keeps and counts the samples beyond", () => {
    const samples = Array.from({ length: 100 }, (_, i) => [0, 1 + i]);
    const frames = Array.from({ length: 101 }, (_, i) => ({ name: `f${String(i)}`, file: "/r.py", line: i }));
    const out = read(written([{ name: 'Thread 1 "M"', samples: [...samples, ...samples] }], frames), { maxStackFrames: 20 });
    // Ten two-frame stacks fit the budget of 20 frames; each was seen twice.
    expect(out.total).toBe(20);
    expect(out.cuts.samplesDropped).toBe(180);
    expect(out.problem).toMatch(/distinct stacks/);
  });

  it("survives a file cut short (py-spy killed while writing) and drops samples naming unknown frames", () => {
    const path = join(dir, "cut.json");
    writeFileSync(path, '{"profiles":[{"name":"Thread 1 \\"M\\"","samples":[[0,1],[0,1],[0');
    const out = read(path);
    expect(out.total).toBe(0);
    expect(out.cuts.samplesDropped).toBe(2);
    expect(out.problem).toMatch(/unreadable speedscope output/);
    const unknown = read(written([{ name: 'Thread 1 "M"', samples: [[0], [5]] }], [{ name: "f", file: "/a.py", line: 1 }]));
    expect(stacks(unknown)).toEqual(["M|f|1"]);
    expect(unknown.cuts.samplesDropped).toBe(1);
    expect(readSpeedscope(join(dir, "none.json"))).toBeUndefined();
  });

  // In raw format one line of these names took the former parser 47 s (86 frames, 336 KB).
  it("reads names built to make a frame-by-frame parser backtrack in one pass", { timeout: 10_000 }, () => {
    const crafted = " (x);".repeat(819);
    const samples = Array.from({ length: 200 }, () => [0, ...Array.from({ length: 80 }, () => 1), 2]);
    const path = written(
      [{ name: 'Thread 1 "M"', samples }],
      [
        { name: "<module>", file: "/c.py", line: 1 },
        { name: crafted, file: "/c.py", line: 2 },
        { name: "busy_leaf", file: "/c.py", line: 3 },
      ],
    );
    const out = read(path);
    expect(out.frames[1]?.name).toBe(crafted);
    expect(out.threads[0]?.stacks).toEqual([{ frames: [0, ...Array.from({ length: 80 }, () => 1), 2], cut: 0, count: 200 }]);
    expect(out.bytesRead).toBe(statSync(path).size);
  });
});
