/// <reference lib="dom" />
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { tempDir } from "@fleetprof/test";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { flameDataFrom } from "@fleetprof/web";
import { renderFlameHtml } from "../src/render/html/flame-html.js";
import { renderFlameSvg } from "../src/render/svg.js";
import { launchBrowser, openFile, screenshot } from "./browser.js";
import { bigStacks, buildFlameGraph } from "./flame-fixture.js";

interface Viewer {
  nodeCount: number;
  find: (name: string) => number;
  box: (i: number) => { x: number; y: number; width: number; height: number } | null;
  state: () => { zoom: string; zoomIndex: number; matches: number; drawn: number; skipped: number };
  colour: (i: number) => string | null;
}
declare const fleetprofViewer: Viewer;

const stacks = {
  "main@app.py:10;handle_request@app.py:20;parse_json@json.py:5": 300,
  "main@app.py:10;handle_request@app.py:20;render_page@tpl.py:9;escape<html>@tpl.py:40": 200,
  "main@app.py:10;handle_request@app.py:20;query_db@db.py:70": 400,
  "main@app.py:10;idle@app.py:90": 100,
};

let browser: Browser;
const dir = tempDir("fleetprof-html-");

function write(name: string, html: string): string {
  const file = join(dir, name);
  writeFileSync(file, html);
  return file;
}

async function centre(page: Page, name: string): Promise<{ x: number; y: number }> {
  const box = await page.evaluate((n) => fleetprofViewer.box(fleetprofViewer.find(n)), name);
  expect(box, `${name} is drawn`).not.toBeNull();
  return { x: (box?.x ?? 0) + (box?.width ?? 0) / 2, y: (box?.y ?? 0) + (box?.height ?? 0) / 2 };
}

beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser.close();
});

describe("HTML flame graph in Chromium", () => {
  it("renders, shows tooltips, zooms on click, searches, resets", async () => {
    const html = renderFlameHtml(flameDataFrom(buildFlameGraph(stacks)), { title: '{service="shop"}', subtitle: "last hour" });
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=|https?:\/\//);
    const { page, errors, requests } = await openFile(browser, write("flame.html", html));
    expect(await page.textContent("h1")).toBe('{service="shop"}');
    for (const name of ["main", "handle_request", "query_db", "parse_json", "render_page", "escape<html>", "idle"]) {
      expect(await page.evaluate((n) => fleetprofViewer.find(n), name), name).toBeGreaterThan(0);
    }
    // hover: tooltip with function, file:line, self, total, %
    const q = await centre(page, "query_db");
    await page.mouse.move(q.x, q.y);
    const tip = page.locator("#tooltip");
    await expect.poll(() => tip.isVisible()).toBe(true);
    const text = await tip.innerText();
    expect(text).toContain("query_db");
    expect(text).toContain("db.py:70");
    expect(text).toMatch(/self\s+400\s+40\.0%/);
    expect(text).toMatch(/total\s+400\s+40\.0%/);
    await screenshot(page, "cli-flame-hover.png");
    // click zooms: handle_request fills the width, its parent is dimmed above
    const h = await centre(page, "handle_request");
    await page.mouse.click(h.x, h.y);
    expect((await page.evaluate(() => fleetprofViewer.state())).zoom).toBe("handle_request");
    expect(await page.textContent("#zoom-info")).toContain("handle_request");
    const zoomed = await page.evaluate(() => fleetprofViewer.box(fleetprofViewer.find("handle_request")));
    const canvasWidth = await page.evaluate(() => document.getElementById("flame")?.getBoundingClientRect().width ?? 0);
    expect(zoomed?.width).toBeGreaterThan(canvasWidth - 2);
    expect(await page.evaluate(() => fleetprofViewer.box(fleetprofViewer.find("idle")))).toBeNull();
    // search highlights
    await page.fill("#search", "parse|escape");
    await page.press("#search", "Enter");
    expect((await page.evaluate(() => fleetprofViewer.state())).matches).toBe(2);
    expect(await page.textContent("#search-info")).toMatch(/2 frames match · 50\.0% of samples/);
    await screenshot(page, "cli-flame-zoom-search.png");
    // the functions table: by self time; a click highlights the function
    const firstRow = page.locator("#fn-table tr").nth(1);
    expect(await firstRow.innerText()).toMatch(/^query_db\s+db\.py:70\s+400\s+40\.0%\s+40\.0%$/);
    await page.locator("#fn-table tr", { hasText: "escape<html>" }).click();
    expect(await page.inputValue("#search")).toBe("^escape<html>$");
    expect((await page.evaluate(() => fleetprofViewer.state())).matches).toBe(1);
    // reset
    await page.click("#reset");
    expect(await page.evaluate(() => fleetprofViewer.state())).toMatchObject({ zoom: "all", matches: 0 });
    expect(await page.evaluate(() => fleetprofViewer.box(fleetprofViewer.find("idle")))).not.toBeNull();
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    await page.close();
  });

  it("colours a diff: grown red, shrunk blue, both sides in the tooltip, with a legend", async () => {
    const base = { ...stacks, "main@app.py:10;handle_request@app.py:20;query_db@db.py:70": 200, "main@app.py:10;old_cache@app.py:50": 80 };
    const comparison = { ...stacks, "main@app.py:10;handle_request@app.py:20;query_db@db.py:70": 800, "main@app.py:10;new_feature@app.py:60": 50 };
    const html = renderFlameHtml(flameDataFrom(buildFlameGraph(comparison, { base })), {
      title: "shop@1.0 → shop@2.0",
      baseLabel: "shop@1.0",
      comparisonLabel: "shop@2.0",
    });
    const { page, errors } = await openFile(browser, write("diff.html", html));
    const colourOf = (name: string): Promise<string | null> => page.evaluate((n) => fleetprofViewer.colour(fleetprofViewer.find(n)), name);
    const rgb = (c: string | null): number[] => (/rgb\((\d+),(\d+),(\d+)\)/.exec(c ?? "")?.slice(1) ?? []).map(Number);
    const [r1, , b1] = rgb(await colourOf("query_db"));
    expect(r1).toBeGreaterThan((b1 ?? 0) + 80);
    const [r2, , b2] = rgb(await colourOf("parse_json"));
    expect(b2).toBeGreaterThan((r2 ?? 0) + 40);
    const [r3, , b3] = rgb(await colourOf("old_cache"));
    expect(b3).toBeGreaterThan(r3 ?? 0);
    expect(await page.innerText("#legend")).toMatch(/shrank.*grew.*baseline shop@1\.0: 880 samples.*comparison shop@2\.0: 1,450 samples/s);
    const q = await centre(page, "query_db");
    await page.mouse.move(q.x, q.y);
    const text = await page.locator("#tooltip").innerText();
    expect(text).toMatch(/baseline\s+comparison\s+change/);
    expect(text).toMatch(/total\s+200\s+800/);
    expect(text).toContain("grew");
    expect(await page.locator("#fn-table tr").nth(1).innerText()).toMatch(/^query_db\s+db\.py:70\s+22\.7%\s+55\.2%\s+\+32\.45 pp$/);
    await screenshot(page, "cli-flame-diff.png");
    const o = await centre(page, "old_cache");
    await page.mouse.move(o.x, o.y);
    expect(await page.locator("#tooltip").innerText()).toContain("only in the baseline");
    expect(errors).toEqual([]);
    await page.close();
  });

  it("the SVG renders in the browser with a tooltip per frame", async () => {
    const svg = renderFlameSvg(flameDataFrom(buildFlameGraph(stacks)), { title: "svg", subtitle: "last hour" });
    const page = await browser.newPage({ viewport: { width: 1250, height: 300 } });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(pathToFileURL(write("flame.svg", svg)).href);
    expect(await page.locator("svg > g").count()).toBe(8);
    expect(await page.locator("svg > g > title").first().textContent()).toMatch(/^all\nself 0 \(0%\), total 1,000 \(100\.0%\)$/);
    expect(await page.locator("text", { hasText: "query_db" }).count()).toBe(1);
    await screenshot(page, "cli-flame-svg.png");
    expect(errors).toEqual([]);
    await page.close();
  });

  it("says so when nothing matched", async () => {
    const { page, errors } = await openFile(browser, write("empty.html", renderFlameHtml(flameDataFrom(buildFlameGraph({})), { title: "nothing" })));
    expect(await page.textContent("#empty")).toBe("No samples matched this selector and time range.");
    expect(await page.isVisible("#chart")).toBe(false);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("stays fast and readable at 100 000 nodes and shows truncation", async () => {
    const graph = buildFlameGraph(bigStacks(120_000), { maxNodes: 100_000 });
    expect(graph.nodes.length).toBeGreaterThan(99_000);
    expect(graph.foldedNodes).toBeGreaterThan(0n);
    const html = renderFlameHtml(flameDataFrom(graph), { title: "big" });
    const started = Date.now();
    const { page, errors } = await openFile(browser, write("big.html", html));
    const loadMs = Date.now() - started;
    expect(loadMs).toBeLessThan(15_000);
    expect(await page.isVisible("#truncation")).toBe(true);
    expect(await page.innerText("#truncation")).toMatch(/Truncated: [\d,]+ smaller frames/);
    expect(await page.evaluate(() => fleetprofViewer.nodeCount)).toBe(graph.nodes.length);
    const s = await page.evaluate(() => fleetprofViewer.state());
    expect(s.drawn).toBeGreaterThan(100);
    await screenshot(page, "cli-flame-100k-overview.png");
    const redraw = await page.evaluate(() => {
      const t = performance.now();
      (document.getElementById("search") as HTMLInputElement).value = "leaf_3";
      document.getElementById("search")?.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter" }));
      return performance.now() - t;
    });
    expect(redraw).toBeLessThan(2000);
    expect((await page.evaluate(() => fleetprofViewer.state())).matches).toBeGreaterThan(1000);
    const w = await centre(page, "worker_0");
    await page.mouse.click(w.x, w.y);
    expect((await page.evaluate(() => fleetprofViewer.state())).zoom).toBe("worker_0");
    await screenshot(page, "cli-flame-100k.png");
    expect(errors).toEqual([]);
    await page.close();
  });
});
