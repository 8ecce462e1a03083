/// <reference lib="dom" />
/**
 * Opening an HTML flame graph file in headless Chromium (launchBrowser and screenshot come
 * from the shared harness). Collects console errors and page errors so a test can assert none.
 */
import { pathToFileURL } from "node:url";
import type { Browser, Page } from "playwright-core";

export { CHROMIUM, launchBrowser, RESULTS_DIR, screenshot } from "@fleetprof/test";

export interface OpenedPage {
  page: Page;
  /** Console errors and uncaught exceptions seen so far. */
  errors: string[];
  /** Requests that left the file (a self-contained page makes none). */
  requests: string[];
}

export async function openFile(browser: Browser, file: string, viewport = { width: 1400, height: 900 }): Promise<OpenedPage> {
  const page = await browser.newPage({ viewport });
  const errors: string[] = [];
  const requests: string[] = [];
  page.on("console", (msg) => {
    if (msg.type() === "error") errors.push(msg.text());
  });
  page.on("pageerror", (err) => errors.push(err.message));
  page.on("request", (req) => {
    if (!req.url().startsWith("file:")) requests.push(req.url());
  });
  await page.goto(pathToFileURL(file).href);
  await page.waitForFunction(() => "fleetprofViewer" in window);
  return { page, errors, requests };
}
