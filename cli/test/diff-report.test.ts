/// <reference lib="dom" />
/**
 * Diffs with intervals and the version report as a user runs them: `fleetprof top --diff
 * --sort total` and `fleetprof report` against a real query API over embedded ClickHouse
 * holding synthetic fleets (written through the store, times relative to now), and the report
 * page opened in Chromium.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createLogger } from "@fleetprof/common";
import { startQueryApi, type QueryApi } from "@fleetprof/query-api";
import { openStore, type Store } from "@fleetprof/store";
import { fleetBatches, SHOP_RELEASE, tempDir } from "@fleetprof/test";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, openFile, screenshot } from "./browser.js";
import { runCli } from "./run-cli.js";

interface Viewer {
  find: (name: string) => number;
}
declare const fleetprofViewer: Viewer;

const MINUTE = 60_000;
const T0 = Math.floor(Date.now() / MINUTE) * MINUTE - 40 * MINUTE;
const hosts = (prefix: string, n: number): string[] => Array.from({ length: n }, (_, i) => `${prefix}-${String(i)}`);
const dir = tempDir("fleetprof-cli-report-");
let store: Store;
let api: QueryApi;
let browser: Browser;

const fleetprof = (argv: string[]) => runCli(argv, { env: { FLEETPROF_API: `127.0.0.1:${String(api.port)}` }, cwd: dir });

beforeAll(async () => {
  store = await openStore(`chdb://${join(dir, "data")}`);
  const beta = { "main;alpha;crunch": 70, "main;beta;crunch": 18, "main;beta": 2, "main;gamma": 10 };
  await store.writeBatches([
    ...fleetBatches({ service: "beta", version: "1.0", hosts: hosts("a", 3), startMs: T0, minutes: 10, mix: beta, seed: 1 }),
    ...fleetBatches({
      service: "beta",
      version: "2.0",
      hosts: hosts("b", 3),
      startMs: T0,
      minutes: 10,
      mix: beta,
      scale: { "main;beta;crunch": 2.5 },
      seed: 2,
    }),
    ...fleetBatches({ service: "shop", version: "1.0", hosts: hosts("s", 3), startMs: T0, minutes: 15, seed: 3 }),
    ...fleetBatches({ service: "shop", version: "2.0", hosts: hosts("t", 3), startMs: T0 + 15 * MINUTE, minutes: 10, seed: 4, ...SHOP_RELEASE }),
  ]);
  api = await startQueryApi({ host: "127.0.0.1", port: 0 }, { store, logger: createLogger({ level: "warn" }) });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser.close();
  await api.stop();
  await store.close();
});

describe("diffs with intervals from the command line", () => {
  it("top --diff --sort total ranks the regressed caller first, marked significant with its interval", async () => {
    const byTotal = await fleetprof(["top", "beta@2.0", "--diff", "beta@1.0", "--sort", "total", "--since", "1h"]);
    expect(byTotal.err).toBe("");
    expect(byTotal.out).toMatch(
      /Regressions \(share of total time grew\)\n[^\n]*TOTAL[^\n]*95 % INTERVAL[^\n]*\n\*\s+[\d.]+%\s+[\d.]+%\s+\+1\d\.\d\d pp\s+\[\+1\d\.\d\d, \+\d+\.\d\d\] pp\s+beta\s+beta\.py/,
    );
    const bySelf = await fleetprof(["top", "beta@2.0", "--diff", "beta@1.0", "--since", "1h"]);
    expect(bySelf.out).toMatch(/Regressions \(share of self time grew\)\n[^\n]*\n\*\s+[\d.]+%\s+[\d.]+%\s+\+\d\.\d\d pp\s+\[[^\]]+\] pp\s+crunch/);
    expect(bySelf.out).toMatch(/30 → 30 process-minutes \(3 → 3 processes\)/);
    expect(bySelf.out).toMatch(/cores per process/);
    // --significant: every row listed is marked
    const only = await fleetprof(["top", "beta@2.0", "--diff", "beta@1.0", "--sort", "total", "--significant", "--since", "1h"]);
    const rows = only.out.split("\n").filter((l) => /\bpp\s+\[/.test(l));
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) expect(r.startsWith("*")).toBe(true);
  });

  it("report: the newest version against the previous, as text and as a page with the diff flame graph", async () => {
    const text = await fleetprof(["report", "shop"]);
    expect(text.err).toBe("");
    expect(text.out).toMatch(/^shop: 2\.0 against 1\.0 \(the newest version against the previous one\), 10 min each\n/);
    expect(text.out).toMatch(/Significant regressions \(share of total time grew\)\n[^\n]*\n\*[^\n]*compute_prices/);
    expect(text.out).toMatch(/New in 2\.0 \(not seen in 1\.0\)\n[^\n]*\n[^\n]*apply_tax_rules/);
    expect(text.out).toMatch(/cores per process \([+-][\d.]+ % \[[+-][\d.]+ %, [+-][\d.]+ %\]\)/);
    const html = await fleetprof(["report", "shop", "-o", "report.html"]);
    expect(html.out).toMatch(/wrote .*report\.html/);
    const file = join(dir, "report.html");
    expect(readFileSync(file, "utf8")).not.toMatch(/<script[^>]+src=|<link[^>]+href=|https?:\/\//);
    const { page, errors, requests } = await openFile(browser, file);
    expect(await page.textContent("h1")).toMatch(/shop: 2\.0 against 1\.0/);
    expect(await page.textContent("#report-regressions")).toMatch(/compute_prices/);
    expect(await page.textContent("#report-new")).toMatch(/apply_tax_rules/);
    expect(await page.textContent("#report-cost")).toMatch(/cores per process/);
    expect(await page.evaluate(() => fleetprofViewer.find("compute_prices"))).toBeGreaterThan(0);
    await screenshot(page, "version-report.png");
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
  });
});
