/**
 * Headless Chromium for tests and benchmarks: Debian's /usr/bin/chromium (CHROMIUM_PATH to
 * override) driven by playwright-core, never a downloaded browser. Screenshots go to
 * <repo>/test-results/ (gitignored) for a person to look at.
 */
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, Page } from "playwright-core";

export const CHROMIUM = process.env["CHROMIUM_PATH"] ?? "/usr/bin/chromium";
export const RESULTS_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "test-results");

export async function launchBrowser(): Promise<Browser> {
  // loaded here, not with the harness: most tests never start a browser
  const { chromium } = await import("playwright-core");
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const path = join(RESULTS_DIR, name);
  await page.screenshot({ path, fullPage: false });
  return path;
}
