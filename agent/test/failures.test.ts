/**
 * What the agent does when things go wrong, with real processes: a process that exits in the
 * middle of a window, a non-Python process that says "python" in its arguments, a process the
 * agent may not trace, a py-spy that hangs, and no py-spy at all.
 */
import { chmodSync, copyFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { sleep } from "@fleetprof/common";
import { pySpyPath, pythonExecutable, spawnTracked, startNats, startWorkload, tempDir, waitUntil } from "@fleetprof/test";
import { afterAll, describe, expect, it } from "vitest";
import { agentArgs, marker, profilesOf, readPublished, spawnAgent, totalSamples, type LogLine } from "./helpers.js";

const stops: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const s of stops.reverse()) await s();
});

const WARN = 40;

async function nats(): Promise<string> {
  const ns = await startNats();
  stops.push(ns.stop);
  return ns.url;
}

describe("agent failure handling", () => {
  it("publishes the partial window of a process that exits, and leaves non-Python processes alone", async () => {
    const url = await nats();
    const tag = marker();
    const agent = spawnAgent(agentArgs(url, `(--seconds 4\\.${tag}|^python3 ${tag}$)`, ["--window", "10s"]));
    stops.push(() => agent.stop());
    await agent.waitFor(/"agent started"/, 30_000);
    // A program whose argv[0] is "python3": its cmdline says Python, its executable does not.
    const fake = spawnTracked("bash", ["-c", `exec -a python3 sleep ${tag}`]);
    stops.push(() => fake.stop());
    // Runs ~4 s and exits, in the middle of a 10 s window.
    const w = await startWorkload("cpu_split", { args: ["--alpha", "50", "--beta", "0", "--gamma", "0", "--seconds", `4.${tag}`] });

    const exitedAt = await w.exited.then(() => Date.now());
    const [partial] = await waitUntil("the partial window", async () => {
      const ps = profilesOf(await readPublished(url), w.pid);
      return ps.length > 0 ? ps : undefined;
    });
    const publishedAfterMs = Date.now() - exitedAt;
    expect(partial).toBeDefined();
    if (partial === undefined) return;
    const length = Number(partial.windowEndUnixMs - partial.windowStartUnixMs);
    console.log(`partial window of ${String(length)} ms, ${String(totalSamples([partial]))} samples, published ${String(publishedAfterMs)} ms after the exit`);
    // It ends when the process ended, not at the next boundary, and is published right away.
    expect(Math.abs(Number(partial.windowEndUnixMs) - exitedAt)).toBeLessThan(3000);
    expect(length).toBeLessThan(9000);
    expect(totalSamples([partial])).toBeGreaterThan(0);
    expect(publishedAfterMs).toBeLessThan(5000);

    const logs = agent.logs();
    expect(logs.some((l) => l["targetPid"] === w.pid && /profiling pid/.test(l.msg))).toBe(true);
    expect(logs.some((l) => l["targetPid"] === fake.pid)).toBe(false);
    expect(logs.filter((l) => l.level >= WARN)).toEqual([]);
  });

  it("says once how to fix a process it may not trace, and backs off", async () => {
    const url = await nats();
    const tag = marker();
    const w = await startWorkload("cpu_split", { args: ["--alpha", "10", "--beta", "0", "--gamma", "0", "--seconds", tag] });
    stops.push(() => w.stop());
    // The agent as user nobody, the workload as root.
    const dir = tempDir("agent-nobody-");
    chmodSync(dir, 0o777);
    const pySpy = join(dir, "py-spy");
    copyFileSync(pySpyPath(), pySpy);
    chmodSync(pySpy, 0o755);
    const args = agentArgs(url, `--seconds ${tag}`, ["--window", "2s", "--py-spy", pySpy]);
    args[args.indexOf("--spool-dir") + 1] = join(dir, "spool");
    const agent = spawnAgent(args, { prefix: ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] });
    stops.push(() => agent.stop());

    const permission = (): LogLine[] => agent.logs().filter((l) => l["kind"] === "permission");
    const [line] = await waitUntil("the permission message", () => (permission().length > 0 ? permission() : undefined), 20_000);
    console.log(line?.msg);
    expect(line?.level).toBe(WARN);
    expect(line?.msg).toMatch(/may not trace pid \d+/);
    expect(line?.msg).toMatch(/CAP_SYS_PTRACE/);
    expect(line?.msg).toMatch(/hostPID/);
    expect(line?.msg).toMatch(/ptrace_scope/);
    expect(line?.msg).toMatch(/retrying in 30s/);
    // Several window boundaries later: still one attempt (no hot retry). Only time passing can
    // show that nothing happened, so this wait stays a fixed one.
    await sleep(5000);
    expect(permission()).toHaveLength(1);
    expect(agent.proc.exitCode).toBeNull();
    await agent.stop();
  });

  it("kills a py-spy that hangs after its deadline and counts the window as lost", async () => {
    const url = await nats();
    const tag = marker();
    const w = await startWorkload("cpu_split", { args: ["--alpha", "10", "--beta", "0", "--gamma", "0", "--seconds", tag] });
    stops.push(() => w.stop());
    // A stand-in for a py-spy that starts sampling and then never answers SIGINT.
    const hung = join(tempDir("agent-hung-"), "py-spy");
    writeFileSync(hung, `#!/bin/sh\ntrap '' INT\necho "py-spy> Sampling process 100 times a second."\nexec sleep 600\n`);
    chmodSync(hung, 0o755);
    const agent = spawnAgent(agentArgs(url, `--seconds ${tag}`, ["--window", "2s", "--py-spy", hung, "--py-spy-deadline", "1s"]));
    stops.push(() => agent.stop());

    const [line] = await waitUntil("the hung message", () => {
      const l = agent.logs().filter((x) => x["kind"] === "hung");
      return l.length > 0 ? l : undefined;
    });
    expect(line?.msg).toMatch(/did not respond within its deadline and was killed; its window is lost/);
    const t0 = Date.now();
    agent.proc.kill("SIGTERM");
    expect(await agent.exited).toBe(0);
    // Shutdown waits at most its own deadline for a py-spy that does not answer.
    expect(Date.now() - t0).toBeLessThan(6000);
    expect(profilesOf(await readPublished(url), w.pid)).toEqual([]);
  });

  it("skips an interpreter py-spy cannot read (free-threaded CPython) with one line saying why", async () => {
    const url = await nats();
    const tag = marker();
    const agent = spawnAgent(agentArgs(url, `ft-${tag}`));
    stops.push(() => agent.stop());
    await agent.waitFor(/"agent started"/, 30_000);
    // A CPython whose executable is named like a free-threaded build (python3.13t).
    const dir = tempDir("agent-ft-");
    const ft = join(dir, "python3.13t");
    copyFileSync(pythonExecutable(), ft);
    chmodSync(ft, 0o755);
    const proc = spawnTracked(ft, ["-c", "import time; time.sleep(600)", `ft-${tag}`], {
      env: { ...process.env, PYTHONHOME: dirname(dirname(pythonExecutable())) },
    });
    stops.push(() => proc.stop());
    const [line] = await waitUntil("the unsupported message", () => {
      const l = agent.logs().filter((x) => x["targetPid"] === proc.pid);
      return l.length > 0 ? l : undefined;
    });
    expect(line?.level).toBe(WARN);
    expect(line?.msg).toMatch(new RegExp(`not profiling pid ${String(proc.pid)} .*free-threaded CPython 3\\.13t is not supported by py-spy`));
    // Three discovery passes (every 500 ms) later, still one line: a fixed wait, as it proves an absence.
    await sleep(1500);
    expect(agent.logs().filter((x) => x["targetPid"] === proc.pid)).toHaveLength(1);
  });

  it("says how to install py-spy when there is none, once, and keeps running", async () => {
    const url = await nats();
    const agent = spawnAgent(agentArgs(url, "never-matches-anything", ["--py-spy", "/nonexistent/py-spy"]));
    stops.push(() => agent.stop());
    await waitUntil("the agent to start", () => agent.logs().some((l) => l.msg === "agent started") || undefined);
    // Three discovery passes (every 500 ms) later, still one line: a fixed wait, as it proves an absence.
    await sleep(1500);
    const lines = agent.logs().filter((l) => /py-spy/.test(l.msg) && l.level >= WARN);
    expect(lines).toHaveLength(1);
    expect(lines[0]?.msg).toMatch(/py-spy not found at \/nonexistent\/py-spy.*pip install py-spy/);
    expect(agent.proc.exitCode).toBeNull();
  });
});
