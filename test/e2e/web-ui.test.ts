/// <reference lib="dom" />
/**
 * The web UI on `fleetprof up --demo`, in Chromium: pick shop-demo on the Services page and
 * see its flame graph; search, zoom, copy the link and get the same view from it; open the
 * sandwich of compute_prices; export pprof and HTML; drag across the chart to zoom in time;
 * compare 1.0 with 2.0 and find compute_prices red and first among the regressions; on a fleet of
 * four processes per version (written to the store before the stack starts, times relative to
 * now) find it first and significant, with its 95 % interval and the cost per process; dump and
 * capture on the Incidents page. No console errors anywhere.
 * Also a capture streamed over the Connect protocol by a plain HTTP client (JSON).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { gunzipSync } from "node:zlib";
import { openStore } from "@fleetprof/store";
import {
  DEMO_ONLY_ENV,
  fleetBatches,
  freePort,
  launchBrowser,
  screenshot,
  SHOP_RELEASE,
  startFleetprofUp,
  tempDir,
  waitUntil,
  type Tracked,
} from "@fleetprof/test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/** A synthetic service with enough processes and minutes per version for significance (the demo has one process per version). */
const FLEET = "shop-fleet";
const MINUTE = 60_000;

interface ViewHandle {
  nodeCount: number;
  find: (name: string) => number;
  box: (i: number) => { x: number; y: number; width: number; height: number } | null;
  state: () => { zoom: string; zoomIndex: number; matches: number; drawn: number; skipped: number };
  colour: (i: number) => string | null;
  label: (i: number) => string;
}
declare const fleetprofViewer: ViewHandle;
declare const fleetprofViews: Record<string, ViewHandle | undefined>;

let up: Tracked;
let ui = "";
let browser: Browser;
let context: BrowserContext;
const errors: string[] = [];

async function call(method: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${ui}/fleetprof.v1.QueryService/${method}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return (await res.json()) as Record<string, unknown>;
}

async function samplesPerVersion(): Promise<Record<string, number>> {
  const r = (await call("TimeSeries", { selector: '{service="shop-demo"}', groupBy: "version", range: { startUnixMs: String(Date.now() - 900_000) } })) as {
    series?: { group: string; total?: string }[];
  };
  return Object.fromEntries((r.series ?? []).map((s) => [s.group, Number(s.total ?? 0)]));
}

async function open(path: string): Promise<Page> {
  const page = await context.newPage();
  page.on("console", (msg) => {
    if (msg.type() === "error") errors.push(`${path}: ${msg.text()}`);
  });
  page.on("pageerror", (err) => errors.push(`${path}: ${err.message}`));
  await page.goto(`${ui}${path}`);
  return page;
}

/** The centre of a frame of the main flame graph. */
async function frame(page: Page, name: string, view = "main"): Promise<{ x: number; y: number }> {
  const box = await page.evaluate(([n, v]) => fleetprofViews[v]?.box(fleetprofViews[v]?.find(n) ?? -1) ?? null, [name, view] as const);
  expect(box, `${name} is drawn in ${view}`).not.toBeNull();
  return { x: (box?.x ?? 0) + (box?.width ?? 0) / 2, y: (box?.y ?? 0) + (box?.height ?? 0) / 2 };
}

const mainState = (page: Page) => page.evaluate(() => fleetprofViewer.state());

/** Versions 1.0 and 2.0 of FLEET (2.0: compute_prices does twice the work), 4 processes × 12 minutes each, ending a minute ago. */
async function writeFleet(storeDir: string): Promise<void> {
  const t0 = Math.floor(Date.now() / MINUTE) * MINUTE - 13 * MINUTE;
  const hosts = (prefix: string): string[] => [0, 1, 2, 3].map((i) => `${prefix}-${String(i)}`);
  const store = await openStore(`chdb://${storeDir}`);
  try {
    await store.writeBatches([
      ...fleetBatches({ service: FLEET, version: "1.0", hosts: hosts("fleet-a"), startMs: t0, minutes: 12, seed: 11 }),
      ...fleetBatches({ service: FLEET, version: "2.0", hosts: hosts("fleet-b"), startMs: t0, minutes: 12, seed: 12, ...SHOP_RELEASE }),
    ]);
  } finally {
    await store.close();
  }
}

beforeAll(async () => {
  const dataDir = join(tempDir("fleetprof-ui-"), "data");
  const [natsPort, apiPort, httpPort] = [await freePort(), await freePort(), await freePort()];
  await writeFleet(join(dataDir, "data"));
  up = startFleetprofUp(
    ["--demo", "--data-dir", dataDir, "--nats-port", String(natsPort), "--api-port", String(apiPort), "--http-listen", `127.0.0.1:${String(httpPort)}`],
    { env: { ...DEMO_ONLY_ENV } },
  );
  await up.waitFor(/fleetprof up: ready/, 90_000);
  ui = `http://127.0.0.1:${String(httpPort)}`;
  expect(up.stdout()).toContain(`web UI      ${ui}`);
  expect(up.stdout().trimEnd().endsWith(`open ${ui}`)).toBe(true);
  await waitUntil(
    "both demo versions have 300 samples",
    async () => {
      const c = await samplesPerVersion();
      return (c["1.0"] ?? 0) >= 300 && (c["2.0"] ?? 0) >= 300 ? c : undefined;
    },
    120_000,
    2000,
  );
  browser = await launchBrowser();
  context = await browser.newContext({ viewport: { width: 1440, height: 1000 } });
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: ui });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  if (up !== undefined) {
    up.proc.kill("SIGINT");
    expect(await up.exited).toBe(0);
  }
});

describe("the web UI on fleetprof up --demo", () => {
  it("goes from the services list to shop-demo's flame graph and top functions", async () => {
    const page = await open("/");
    const row = page.locator("tr.service-row", { hasText: "shop-demo" });
    await expect.poll(() => row.count()).toBe(1);
    expect(await row.innerText()).toMatch(/1\.0\s+2\.0/);
    await screenshot(page, "ui-services.png");
    await row.locator("a.service-name").click();
    await page.waitForFunction(() => typeof fleetprofViewer !== "undefined" && fleetprofViewer.find("compute_prices") > 0);
    expect(new URL(page.url()).searchParams.get("q")).toBe('{service="shop-demo"}');
    const top = page.locator(".top-table tbody tr");
    await expect.poll(() => top.count()).toBeGreaterThan(3);
    expect(await top.first().innerText()).toMatch(/^compute_prices/);
    // CPU time, not only samples
    expect(await page.locator(".flame-legend").innerText()).toMatch(/samples \([\d.]+ (s|ms|h) CPU\)/);
    const c = await frame(page, "compute_prices");
    await page.mouse.move(c.x, c.y);
    const tip = await page.locator("#tooltip").innerText();
    expect(tip).toMatch(/compute_prices/);
    expect(tip).toMatch(/self\s+[\d,]+\s+[\d.]+%\s+[\d.]+ (s|ms)/);
    await screenshot(page, "ui-explore.png");
    await page.close();
  });

  it("exports the profile as pprof and the flame graph as one HTML file", async () => {
    const page = await open('/explore?q={service="shop-demo"}&from=now-15m');
    await page.waitForFunction(() => typeof fleetprofViewer !== "undefined" && fleetprofViewer.find("compute_prices") > 0);
    const download = async (format: string): Promise<{ name: string; bytes: Buffer }> => {
      await page.locator("button.export-button").click();
      const [d] = await Promise.all([page.waitForEvent("download"), page.locator(`.menu-item[data-format="${format}"]`).click()]);
      return { name: d.suggestedFilename(), bytes: readFileSync(await d.path()) };
    };
    const pprof = await download("pprof");
    expect(pprof.name).toMatch(/\.pb\.gz$/);
    expect([pprof.bytes[0], pprof.bytes[1]]).toEqual([0x1f, 0x8b]);
    expect(gunzipSync(pprof.bytes).includes(Buffer.from("compute_prices"))).toBe(true);
    const html = await download("html");
    expect(html.name).toMatch(/\.html$/);
    // the same self-contained page as `fleetprof flame -o x.html`
    const file = join(tempDir("fleetprof-ui-export-"), "flame.html");
    writeFileSync(file, html.bytes);
    const exported = await context.newPage();
    await exported.goto(pathToFileURL(file).href);
    await exported.waitForFunction(() => typeof fleetprofViewer !== "undefined" && fleetprofViewer.find("compute_prices") > 0);
    expect(await exported.textContent("h1")).toBe('{service="shop-demo"}');
    await exported.close();
    await page.close();
  });

  it("zooms in time by dragging across the chart", async () => {
    const page = await open('/explore?q={service="shop-demo"}&from=now-15m');
    await page.waitForFunction(() => typeof fleetprofViewer !== "undefined" && fleetprofViewer.find("compute_prices") > 0);
    const chart = page.locator("canvas.series-canvas");
    await expect.poll(() => page.locator(".chart-panel .panel-head").innerText()).toMatch(/step \d+ s/);
    const box = await chart.boundingBox();
    expect(box).not.toBeNull();
    const y = (box?.y ?? 0) + 60;
    await page.mouse.move((box?.x ?? 0) + (box?.width ?? 0) * 0.6, y);
    await page.mouse.down();
    await page.mouse.move((box?.x ?? 0) + (box?.width ?? 0) * 0.95, y, { steps: 5 });
    await page.mouse.up();
    await expect.poll(() => new URL(page.url()).searchParams.get("from")).toMatch(/^\d{13}$/);
    const params = new URL(page.url()).searchParams;
    expect(Number(params.get("to"))).toBeGreaterThan(Number(params.get("from")));
    expect(await page.locator(".time-button").innerText()).toMatch(/→/);
    await page.close();
  });

  it("searches, zooms, and a copied link reopens the same view", async () => {
    const page = await open('/explore?q={service="shop-demo"}&from=now-15m');
    await page.waitForFunction(() => typeof fleetprofViewer !== "undefined" && fleetprofViewer.find("handle_request") > 0);
    await page.keyboard.press("/");
    await page.keyboard.type("compute");
    await page.keyboard.press("Enter");
    await expect.poll(async () => (await mainState(page)).matches).toBeGreaterThan(0);
    expect(await page.locator(".search-info").innerText()).toMatch(/frames? · [\d.]+% of samples/);
    const h = await frame(page, "handle_request");
    await page.mouse.click(h.x, h.y);
    expect((await mainState(page)).zoom).toBe("handle_request");
    await expect.poll(() => new URL(page.url()).searchParams.get("zoom")).toMatch(/handle_request$/);
    const before = await mainState(page);
    await page.locator("button.copy-link").click();
    const link = await page.evaluate(() => navigator.clipboard.readText());
    expect(link).toBe(page.url());
    await screenshot(page, "ui-explore-zoom-search.png");
    const again = await open(link.slice(ui.length));
    await again.waitForFunction(() => typeof fleetprofViewer !== "undefined" && fleetprofViewer.state().zoom === "handle_request");
    expect(await mainState(again)).toMatchObject({ zoom: "handle_request", matches: before.matches });
    expect(await again.inputValue(".flame-search")).toBe("compute");
    // Esc resets both
    await again.keyboard.press("Escape");
    await expect.poll(async () => (await mainState(again)).zoom).toBe("all");
    expect((await mainState(again)).matches).toBe(0);
    await again.close();
    await page.close();
  });

  it("shows compute_prices' callers and callees in the sandwich view", async () => {
    const page = await open('/explore?q={service="shop-demo"}&from=now-15m');
    await page.waitForFunction(() => typeof fleetprofViewer !== "undefined" && fleetprofViewer.find("compute_prices") > 0);
    const c = await frame(page, "compute_prices");
    await page.mouse.click(c.x, c.y, { button: "right" });
    await expect.poll(() => new URL(page.url()).searchParams.get("fn")).toBe("compute_prices");
    await page.waitForFunction(() => fleetprofViews["callers"] !== undefined);
    expect(await page.evaluate(() => fleetprofViews["callers"]?.label(0))).toBe("compute_prices");
    expect(await page.evaluate(() => fleetprofViews["callers"]?.find("handle_request"))).toBeGreaterThan(0);
    expect(await page.evaluate(() => fleetprofViews["callees"]?.label(0))).toBe("compute_prices");
    expect(await page.locator(".sandwich-head").innerText()).toMatch(/^compute_prices · [\d,]+ samples · [\d.]+% of the graph/);
    await screenshot(page, "ui-sandwich.png");
    await page.locator("button.seg", { hasText: "Flame graph" }).click();
    await expect.poll(() => new URL(page.url()).searchParams.get("fn")).toBeNull();
    await page.close();
  });

  it("compares 1.0 with 2.0: compute_prices is red and the first regression", async () => {
    const page = await open("/compare");
    await page.selectOption('select[aria-label="Service"]', "shop-demo");
    await page.selectOption('select[aria-label="Baseline version"]', "1.0");
    await page.selectOption('select[aria-label="Comparison version"]', "2.0");
    await page.waitForFunction(() => typeof fleetprofViewer !== "undefined" && fleetprofViewer.find("compute_prices") > 0);
    const params = new URL(page.url()).searchParams;
    expect([params.get("base"), params.get("cmp")]).toEqual(['{service="shop-demo", version="1.0"}', '{service="shop-demo", version="2.0"}']);
    const colour = await page.evaluate(() => fleetprofViewer.colour(fleetprofViewer.find("compute_prices")));
    const [r, , b] = (/rgb\((\d+),(\d+),(\d+)\)/.exec(colour ?? "")?.slice(1) ?? []).map(Number);
    expect(r, `compute_prices is ${String(colour)}`).toBeGreaterThan((b ?? 255) + 60);
    const first = page.locator(".diff-table tbody tr").first();
    await expect.poll(() => first.count()).toBe(1);
    expect(await first.innerText()).toMatch(/^1\s+compute_prices/);
    expect(await first.locator(".change").innerText()).toMatch(/^\+[\d.]+ pp/);
    expect(await page.locator(".diff-cost").innerText()).toMatch(/per process/);
    await screenshot(page, "ui-compare.png");
    await page.close();
  });

  it("on a fleet, marks compute_prices significant with its 95 % interval, by self and by total time", async () => {
    const page = await open(
      `/compare?base=${encodeURIComponent(`{service="${FLEET}", version="1.0"}`)}&cmp=${encodeURIComponent(`{service="${FLEET}", version="2.0"}`)}`,
    );
    await page.waitForFunction(() => typeof fleetprofViewer !== "undefined" && fleetprofViewer.find("compute_prices") > 0);
    const first = page.locator(".diff-table tbody tr").first();
    await expect.poll(() => first.count()).toBe(1);
    const interval = /^\[\+\d+\.\d\d, \+\d+\.\d\d\] pp$/;
    const expectSignificantFirst = async (): Promise<void> => {
      expect(await first.innerText()).toMatch(/^1\s+compute_prices/);
      expect(await first.getAttribute("class")).toBe("significant");
      expect(await first.locator(".sig").innerText()).toBe("yes");
      expect(await first.locator(".interval").innerText()).toMatch(interval);
    };
    await expectSignificantFirst();
    // the cost per process sits above the table, then the replicates behind the intervals
    expect(await page.locator(".diff-cost").innerText()).toMatch(
      /^0\.\d{3} → 0\.\d{3} cores per process \(\+[\d.]+ % \[\+[\d.]+ %, \+[\d.]+ %\]\): significantly more/,
    );
    expect(await page.locator(".diff-note", { hasText: "process-minutes" }).innerText()).toMatch(
      /^48 → 48 process-minutes \(4 → 4 processes\); “yes” = significant/,
    );
    await screenshot(page, "ui-compare-significance.png");
    await page.locator('[aria-label="Rank by"] button', { hasText: "Total" }).click();
    await expect.poll(() => new URL(page.url()).searchParams.get("sort")).toBe("total");
    await expect.poll(() => page.locator(".diff-panel h2").innerText()).toBe("Functions by change in share of total time");
    await expect.poll(() => page.locator(".diff-table th").nth(2).innerText()).toMatch(/baseline total/i);
    await expectSignificantFirst();
    await page.close();
  });

  it("dumps the demo's threads and captures one process with live progress", async () => {
    const page = await open("/incidents");
    await page.fill('input[aria-label="Dump selector"]', "shop-demo");
    await page.locator("button", { hasText: "Dump now" }).click();
    await expect.poll(() => page.locator(".dump-result").count(), { timeout: 30_000 }).toBe(1);
    expect(await page.locator(".dump-result").innerText()).toMatch(/\d+ threads? in 2 processes/);
    await page.fill('input[aria-label="Capture selector"]', '{service="shop-demo", version="2.0"}');
    await page.selectOption('select[aria-label="Duration"]', "5");
    await page.locator("button", { hasText: "Start capture" }).click();
    await expect.poll(() => page.locator(".progress-text").innerText(), { timeout: 20_000 }).toMatch(/Sampling · shop-demo pid \d+/);
    await page.waitForFunction(() => new URLSearchParams(location.search).has("capture"), null, { timeout: 90_000 });
    await page.waitForFunction(() => typeof fleetprofViewer !== "undefined" && fleetprofViewer.find("compute_prices") > 0);
    expect(await page.locator(".progress-text").innerText()).toMatch(/^Done · capture [0-9a-f-]{36} · [\d,]+ samples/);
    await screenshot(page, "ui-incidents.png");
    // the capture's link shows its flame graph again, without capturing again
    const again = await open(new URL(page.url()).pathname + new URL(page.url()).search);
    await again.waitForFunction(() => typeof fleetprofViewer !== "undefined" && fleetprofViewer.find("compute_prices") > 0);
    expect(await again.locator(".capture-progress").isVisible()).toBe(false);
    await again.close();
    await page.close();
  });

  it("streams a capture to a plain HTTP client over Connect (JSON)", async () => {
    const body = new TextEncoder().encode(JSON.stringify({ selector: '{service="shop-demo", version="1.0"}', durationMs: 2000 }));
    const framed = new Uint8Array(5 + body.length);
    new DataView(framed.buffer).setUint32(1, body.length);
    framed.set(body, 5);
    const res = await fetch(`${ui}/fleetprof.v1.QueryService/Capture`, {
      method: "POST",
      headers: { "content-type": "application/connect+json" },
      body: framed,
    });
    expect(res.status).toBe(200);
    const bytes = new Uint8Array(await res.arrayBuffer());
    const messages: { flags: number; json: Record<string, Record<string, unknown> | undefined> }[] = [];
    for (let at = 0; at < bytes.length;) {
      const len = new DataView(bytes.buffer, at + 1, 4).getUint32(0);
      messages.push({
        flags: bytes[at] ?? 0,
        json: JSON.parse(new TextDecoder().decode(bytes.subarray(at + 5, at + 5 + len))) as Record<string, Record<string, unknown>>,
      });
      at += 5 + len;
    }
    const stages = messages.map((m) => m.json["progress"]?.["stage"]).filter((s) => s !== undefined);
    // (on failure, the messages say why: the end message carries the error)
    expect(stages[0], JSON.stringify(messages)).toBe("started");
    expect(stages).toContain("stored");
    const graph = messages.find((m) => m.json["flameGraph"] !== undefined)?.json["flameGraph"];
    expect(Number(graph?.["total"])).toBeGreaterThan(0);
    expect(messages.at(-1)).toEqual({ flags: 2, json: {} });
  });

  it("logged no console errors", () => {
    expect(errors).toEqual([]);
  });
});
