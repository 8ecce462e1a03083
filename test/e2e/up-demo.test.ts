/// <reference lib="dom" />
/**
 * The new user's path: `fleetprof up --demo` as a child process, wait for samples, `fleetprof
 * diff` the two demo versions to an HTML file, and check in Chromium that the function
 * version 2.0 is slower in is red. Ctrl-C leaves no child behind; a second `up` resumes on
 * the same data.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DEMO_ONLY_ENV, freePort, startFleetprofUp, tempDir, waitUntil, type Tracked } from "@fleetprof/test";
import { describe, expect, it } from "vitest";
import { launchBrowser, openFile, screenshot } from "../../cli/test/browser.js";
import type { Io } from "../../cli/src/io.js";
import { main } from "../../cli/src/main.js";

declare const fleetprofViewer: {
  find: (name: string) => number;
  box: (i: number) => { x: number; y: number; width: number; height: number } | null;
  colour: (i: number) => string | null;
};

/** Runs a fleetprof command in this process against the real query API. */
async function fleetprof(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const io: Io = {
    stdout: { write: (s: string | Uint8Array) => (out += typeof s === "string" ? s : Buffer.from(s).toString()) },
    stderr: { write: (s: string | Uint8Array) => (err += String(s)) },
    env: {},
    cwd: process.cwd(),
    now: () => Date.now(),
  };
  const { connectQueryApi } = await import("../../cli/src/client/connect.js");
  const code = await main(argv, { io, connect: connectQueryApi });
  return { code, out, err };
}

function startUp(dataDir: string, natsPort: number, apiPort: number): Tracked {
  return startFleetprofUp(["--demo", "--data-dir", dataDir, "--nats-port", String(natsPort), "--api-port", String(apiPort)], { env: { ...DEMO_ONLY_ENV } });
}

/** Every live descendant of `pid`. */
function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSafe("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // gone
    }
  }
  const out: number[] = [];
  const walk = (p: number): void => {
    for (const c of children.get(p) ?? []) {
      out.push(c);
      walk(c);
    }
  };
  walk(pid);
  return out;
}

function readdirSafe(dir: string): string[] {
  try {
    return require_readdir(dir);
  } catch {
    return [];
  }
}
import { readdirSync as require_readdir } from "node:fs";

function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${String(pid)}/stat`, "utf8");
    return !/\) Z /.test(stat);
  } catch {
    return false;
  }
}

let lastError = "";

async function samplesPerVersion(api: string): Promise<Record<string, number>> {
  const r = await fleetprof(["series", "shop-demo", "--by", "version", "--since", "15m", "--api", api, "--json"]);
  if (r.code !== 0) {
    lastError = r.err;
    return {};
  }
  const parsed = JSON.parse(r.out) as { series?: { group?: string; total?: string }[] };
  return Object.fromEntries((parsed.series ?? []).map((s) => [s.group ?? "", Number(s.total ?? 0)]));
}

describe("fleetprof up --demo", () => {
  it("brings the stack up, a diff of the demo versions shows the slower function in red, Ctrl-C leaves nothing", async () => {
    const dataDir = join(tempDir("fleetprof-up-"), "data-dir");
    const [natsPort, apiPort] = [await freePort(), await freePort()];
    const api = `127.0.0.1:${String(apiPort)}`;
    const up = startUp(dataDir, natsPort, apiPort);
    await up.waitFor(/fleetprof up: ready/, 90_000);
    expect(up.stdout()).toContain(`query API   ${api}`);
    expect(up.stdout()).toMatch(/demo {8}shop-demo 1\.0 \(pid \d+\), shop-demo 2\.0 \(pid \d+\)/);
    expect(up.stdout()).toContain("npx fleetprof diff shop-demo@1.0 shop-demo@2.0");

    // wait until both versions have a fair number of samples (on a timeout the assertions below say what was seen)
    let counts: Record<string, number> = {};
    const fair = async (): Promise<boolean> => {
      counts = await samplesPerVersion(api);
      return (counts["1.0"] ?? 0) >= 300 && (counts["2.0"] ?? 0) >= 300;
    };
    await waitUntil("300 samples of each demo version", fair, 100_000, 2000).catch(() => undefined);
    expect(counts["1.0"] ?? 0, `samples per version: ${JSON.stringify(counts)}, last error: ${lastError}\n${up.stderr().slice(-3000)}`).toBeGreaterThanOrEqual(
      300,
    );
    expect(counts["2.0"] ?? 0).toBeGreaterThanOrEqual(300);

    const services = await fleetprof(["services", "--api", api]);
    expect(services.out).toMatch(/shop-demo\s+[\d,]+\s+1\s+1\.0, 2\.0/);

    const out = join(tempDir("fleetprof-diff-"), "diff.html");
    const diff = await fleetprof(["diff", "shop-demo@1.0", "shop-demo@2.0", "--since", "15m", "--api", api, "-o", out]);
    expect(diff.err).toBe("");
    expect(diff.code).toBe(0);
    expect(diff.out).toMatch(/wrote .*diff\.html \(html/);

    const top = await fleetprof(["top", "shop-demo@2.0", "--diff", "shop-demo@1.0", "--since", "15m", "--api", api, "--limit", "3"]);
    expect(top.out).toMatch(/Regressions[^\n]*\n[^\n]*\n[^\n]*compute_prices/);

    const browser = await launchBrowser();
    try {
      const { page, errors } = await openFile(browser, out);
      const i = await page.evaluate(() => fleetprofViewer.find("compute_prices"));
      expect(i).toBeGreaterThan(0);
      const colour = await page.evaluate((n) => fleetprofViewer.colour(n), i);
      const [r, , b] = (/rgb\((\d+),(\d+),(\d+)\)/.exec(colour ?? "")?.slice(1) ?? []).map(Number);
      expect(r, `compute_prices colour ${String(colour)}`).toBeGreaterThan((b ?? 255) + 60);
      const box = await page.evaluate((n) => fleetprofViewer.box(n), i);
      expect(box).not.toBeNull();
      await page.mouse.move((box?.x ?? 0) + (box?.width ?? 0) / 2, (box?.y ?? 0) + 8);
      const tip = await page.locator("#tooltip").innerText();
      expect(tip).toMatch(/compute_prices/);
      expect(tip).toMatch(/grew/);
      await screenshot(page, "e2e-demo-diff.png");
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }

    // Ctrl-C: everything stops, nothing is left
    const kids = descendants(up.pid);
    expect(kids.length).toBeGreaterThanOrEqual(3); // nats-server, two demo processes (and py-spy)
    up.proc.kill("SIGINT");
    expect(await up.exited).toBe(0);
    expect(up.stdout()).toContain("fleetprof up: stopped");
    await expect.poll(() => kids.filter(alive), { timeout: 5000, interval: 50 }).toEqual([]);

    // a second up resumes on the same data
    const again = startUp(dataDir, natsPort, apiPort);
    await again.waitFor(/fleetprof up: ready/, 90_000);
    const resumed = await samplesPerVersion(api);
    expect(resumed["1.0"]).toBeGreaterThanOrEqual(counts["1.0"] ?? 0);
    const kids2 = descendants(again.pid);
    again.proc.kill("SIGINT");
    expect(await again.exited).toBe(0);
    await expect.poll(() => kids2.filter(alive), { timeout: 5000, interval: 50 }).toEqual([]);
  }, 300_000);
});
