/**
 * The flame graph renderer at 100 000 nodes, in Chromium (software canvas, --disable-gpu):
 * an HTML flame graph of a generated call tree, then zooms by clicking frames (animated),
 * resets, hovers and searches, while the page records the interval between animation frames.
 * Prints the longest frame, the 95th percentile and the longest single draw, next to the
 * idle frame interval (the floor) measured in the same page; the goal is no frame over 50 ms.
 * Frame intervals are wall time, so on a busy machine they measure the machine too: the
 * longest main-thread task in CPU time (from a Chrome trace) is the renderer's own cost.
 *
 *   npm run bench -- flame-render        (FLEETPROF_BENCH_NODES=… to change the size)
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Page } from "playwright-core";
import { launchBrowser } from "@fleetprof/test";
import { emptyFlameData, flameHtml, viewerAssets, type FlameData } from "../src/index.js";

const NODES = Number(process.env["FLEETPROF_BENCH_NODES"] ?? 100_000);
const ZOOMS = 30;

interface Viewer {
  nodeCount: number;
  box: (i: number) => { x: number; y: number; width: number; height: number } | null;
  state: () => { zoom: string; zoomIndex: number; drawn: number; skipped: number };
  longestDrawMs: () => number;
  drawnFrames: (minWidth: number) => { node: number; x: number; y: number; width: number; height: number }[];
}
declare const fleetprofViewer: Viewer;
declare const recorder: { frames: number[]; running: boolean };

/** A deterministic pseudo-random sequence. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s ^ (s >>> 15), 2246822507) + 0x9e3779b9) >>> 0;
    return s / 4294967296;
  };
}

/** A call tree of `n` nodes, 10–45 deep, skewed like real profiles, as flame graph columns. */
function generateFlame(n: number): FlameData {
  const rnd = random(42);
  const strings = [""];
  for (let m = 0; m < 3000; m++) strings.push(`pkg${String(m % 40)}.mod${String(m % 97)}.fn_${String(m)}`);
  const files: number[] = [];
  for (let f = 0; f < 300; f++) files.push(strings.push(`/srv/app/pkg${String(f % 40)}/mod${String(f)}.py`) - 1);
  interface Node {
    name: number;
    file: number;
    self: number;
    total: number;
    children: Node[];
  }
  const make = (): Node => ({ name: 1 + Math.floor(rnd() * 3000), file: files[Math.floor(rnd() * files.length)] ?? 0, self: 0, total: 0, children: [] });
  const grow = (node: Node, depth: number, budget: number): void => {
    if (budget <= 1 || depth > 45) {
      node.self = 1 + Math.floor(1000 * Math.pow(rnd(), 3));
      return;
    }
    const k = Math.min(budget - 1, depth < 10 ? 1 + Math.floor(rnd() * 2) : 1 + Math.floor(Math.pow(rnd(), 2) * 8));
    const weights = Array.from({ length: k }, () => Math.pow(rnd(), 2.5) + 0.01);
    const sum = weights.reduce((a, b) => a + b, 0);
    let left = budget - 1;
    for (let c = 0; c < k && left > 0; c++) {
      const share = c === k - 1 ? left : Math.max(1, Math.round(((budget - 1) * (weights[c] ?? 0)) / sum));
      const child = make();
      node.children.push(child);
      grow(child, depth + 1, Math.min(share, left));
      left -= Math.min(share, left);
    }
    node.self = Math.floor(50 * rnd());
  };
  const root = make();
  grow(root, 0, n);
  const totals = (node: Node): number => (node.total = node.self + node.children.reduce((s, c) => s + totals(c), 0));
  totals(root);
  const data: FlameData = {
    ...emptyFlameData(),
    diff: false,
    strings,
    sum: root.total,
    source: "generated",
  };
  const visit = (node: Node, parent: number): void => {
    const me = data.name.length;
    data.name.push(node.name);
    data.file.push(node.file);
    data.line.push(10);
    data.parent.push(parent);
    data.self.push(node.self);
    data.total.push(node.total);
    data.kind.push(parent < 0 ? 1 : 0);
    data.folded.push(0);
    for (const c of [...node.children].sort((a, b) => b.total - a.total)) visit(c, me);
  };
  visit(root, -1);
  return data;
}

/** Clicks a frame of a good size (so that zooming in changes a lot) below the current zoom. */
async function zoomOnce(page: Page, rnd: () => number): Promise<boolean> {
  const target = await page.evaluate((r) => {
    const z = fleetprofViewer.state().zoomIndex;
    const candidates = fleetprofViewer.drawnFrames(40).filter((f) => f.node > z && f.width < 900);
    return candidates[Math.floor(r * candidates.length)] ?? null;
  }, rnd());
  if (target === null) return false;
  await page.mouse.click(target.x + target.width / 2, target.y + target.height / 2);
  await page.waitForTimeout(260);
  return true;
}

interface Trace {
  traceEvents: { name: string; ph: string; pid: number; tid: number; dur?: number; tdur?: number; args?: { name?: string } }[];
}

/** The renderer main thread's longest task in CPU time (tdur) and wall time, from a Chrome trace. */
function longestTasks(trace: Trace): { cpuMs: number; wallMs: number; over50: number } {
  const main = trace.traceEvents.find((e) => e.ph === "M" && e.name === "thread_name" && e.args?.name === "CrRendererMain");
  let cpu = 0;
  let wall = 0;
  let over50 = 0;
  for (const e of trace.traceEvents) {
    if (e.ph !== "X" || e.name !== "RunTask" || e.pid !== main?.pid || e.tid !== main.tid) continue;
    cpu = Math.max(cpu, (e.tdur ?? 0) / 1000);
    wall = Math.max(wall, (e.dur ?? 0) / 1000);
    if ((e.tdur ?? 0) > 50_000) over50++;
  }
  return { cpuMs: cpu, wallMs: wall, over50 };
}

function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? 0;
}

const dir = mkdtempSync(join(tmpdir(), "fleetprof-bench-flame-"));
const browser = await launchBrowser();
try {
  const data = generateFlame(NODES);
  let depth = 0;
  const d = new Int32Array(data.name.length);
  for (let i = 1; i < data.name.length; i++) depth = Math.max(depth, (d[i] = (d[data.parent[i] ?? 0] ?? 0) + 1));
  const file = join(dir, "big.html");
  writeFileSync(file, flameHtml(data, { title: "benchmark" }, viewerAssets()));
  console.log(`generated ${data.name.length.toLocaleString("en-US")} nodes, ${String(depth + 1)} rows deep, ${String(data.strings.length)} strings`);
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const started = performance.now();
  await page.goto(pathToFileURL(file).href);
  await page.waitForFunction(() => "fleetprofViewer" in window);
  const loadMs = performance.now() - started;
  const firstDraw = await page.evaluate(() => fleetprofViewer.longestDrawMs());
  // A string: tsx would wrap named inner functions in a helper the page does not have.
  const RECORD = `(() => {
    const r = { frames: [], running: true };
    window.recorder = r;
    let last = performance.now();
    const tick = (t) => { r.frames.push(t - last); last = t; if (r.running) requestAnimationFrame(tick); };
    requestAnimationFrame(tick);
  })()`;
  const record = (): Promise<void> => page.evaluate(RECORD);
  const stop = (): Promise<number[]> =>
    page.evaluate(() => {
      recorder.running = false;
      return recorder.frames.slice(1);
    });
  await record();
  await page.waitForTimeout(1000);
  const idle = await stop();
  await browser.startTracing(page, { categories: ["toplevel", "disabled-by-default-devtools.timeline"] });
  await record();
  const rnd = random(7);
  let zooms = 0;
  while (zooms < ZOOMS) {
    for (let level = 0; level < 5 && zooms < ZOOMS; level++) if (await zoomOnce(page, rnd)) zooms++;
    await page.keyboard.press("Escape");
    await page.waitForTimeout(260);
  }
  for (let k = 0; k < 60; k++) await page.mouse.move(40 + k * 21, 160 + (k % 8) * 18);
  await page.fill("#search", "fn_1");
  await page.press("#search", "Enter");
  await page.waitForTimeout(100);
  await page.keyboard.press("Escape");
  await page.waitForTimeout(100);
  const frames = await stop();
  const tasks = longestTasks(JSON.parse((await browser.stopTracing()).toString("utf8")) as Trace);
  const longestDraw = await page.evaluate(() => fleetprofViewer.longestDrawMs());
  if (process.env["FLEETPROF_BENCH_VERBOSE"] !== undefined)
    console.log("frames over 50 ms (index: ms):", frames.flatMap((f, k) => (f > 50 ? [`${String(k)}: ${f.toFixed(0)}`] : [])).join(", "));
  console.log(
    `\nChromium ${browser.version()}, ${String(data.name.length)} nodes, canvas 1400 px wide, ${String(zooms)} animated zooms, resets, 60 hovers, a search`,
  );
  console.log(`load (navigation → first draw, incl. parsing the embedded data)   ${loadMs.toFixed(0)} ms   first draw ${firstDraw.toFixed(1)} ms`);
  console.log(`frames recorded                                                     ${String(frames.length)}`);
  console.log(`longest frame                                                       ${Math.max(...frames).toFixed(1)} ms   (goal ≤ 50 ms)`);
  console.log(`95th percentile frame                                               ${percentile(frames, 0.95).toFixed(1)} ms`);
  console.log(`longest single draw                                                 ${longestDraw.toFixed(1)} ms`);
  console.log(
    `longest main-thread task, CPU time (wall)                           ${tasks.cpuMs.toFixed(1)} ms (${tasks.wallMs.toFixed(1)} ms)   tasks over 50 ms CPU: ${String(tasks.over50)}`,
  );
  console.log(`floor: idle frame interval (median, max)                            ${percentile(idle, 0.5).toFixed(1)} ms, ${Math.max(...idle).toFixed(1)} ms`);
  console.log(`ratio longest frame / idle median                                   ${(Math.max(...frames) / percentile(idle, 0.5)).toFixed(2)}`);
} finally {
  await browser.close();
  rmSync(dir, { recursive: true, force: true });
}
