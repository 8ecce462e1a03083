/**
 * The privilege model every manifest gives the agent — root, but with CAP_SYS_PTRACE as the
 * only capability, no new privileges, root's implicit capabilities locked away — is enough to
 * profile another user's Python process, and nothing less is. The capability settings are
 * read from deploy/systemd/fleetprof-agent.service and applied with setpriv, as systemd would.
 */
import { chmodSync, copyFileSync, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { afterAll, describe, expect, it } from "vitest";
import { SAMPLES_STREAM, sleep } from "@fleetprof/common";
import { decodeBatch, ENCODING_HEADER } from "@fleetprof/proto";
import { spawnTracked, startNats, tempDir, waitUntil, WORKLOADS_DIR, type NatsServer, type Tracked } from "@fleetprof/test";
import { keyValues } from "./support/manifests.js";

const REPO_DIR = fileURLToPath(new URL("../../", import.meta.url));
const AGENT_ENTRY = fileURLToPath(new URL("../docker/agent-entry.mjs", import.meta.url));
const UNIT = fileURLToPath(new URL("../systemd/fleetprof-agent.service", import.meta.url));
/** A Python that user nobody can run (pyenv's lives under /root). */
const SYSTEM_PYTHON = "/usr/bin/python3";
const CAP_SYS_PTRACE_MASK = (1n << 19n).toString(16).padStart(16, "0");

const canRun = process.getuid?.() === 0 && existsSync(SYSTEM_PYTHON);

/** setpriv arguments for the unit's capability settings (systemd's names → setpriv's). */
function setprivArgsFromUnit(): string[] {
  const unit = new Map(keyValues(readFileSync(UNIT, "utf8")));
  const caps = (unit.get("CapabilityBoundingSet") ?? "")
    .split(/\s+/)
    .filter(Boolean)
    .map((c) => c.replace(/^CAP_/, "").toLowerCase());
  const ambient = (unit.get("AmbientCapabilities") ?? "")
    .split(/\s+/)
    .filter(Boolean)
    .map((c) => c.replace(/^CAP_/, "").toLowerCase());
  const list = (xs: string[]): string => ["-all", ...xs.map((c) => `+${c}`)].join(",");
  const args = [`--bounding-set=${list(caps)}`, `--inh-caps=${list(ambient)}`, `--ambient-caps=${list(ambient)}`];
  if (unit.get("SecureBits") === "noroot-locked") args.push("--securebits=+noroot,+noroot_locked");
  if (unit.get("NoNewPrivileges") === "yes") args.push("--no-new-privs");
  return args;
}

async function windowsFor(ns: NatsServer, host: string, pid: number): Promise<number> {
  const nc = await connect({ servers: ns.url });
  try {
    const jsm = await jetstreamManager(nc);
    const info = await jsm.streams.info(SAMPLES_STREAM).catch(() => undefined);
    if (info === undefined) return 0;
    let n = 0;
    for (let seq = info.state.first_seq; info.state.messages > 0 && seq <= info.state.last_seq; seq++) {
      const m = await jsm.streams.getMessage(SAMPLES_STREAM, { seq });
      if (m === null) continue;
      const batch = decodeBatch(m.data, m.header.get(ENCODING_HEADER));
      if (batch.host !== host) continue;
      n += batch.profiles.filter((p) => p.pid === pid && p.stacks.length > 0).length;
    }
    return n;
  } finally {
    await nc.close();
  }
}

describe.skipIf(!canRun)("agent privileges (as root, on a workload of user nobody)", () => {
  const started: Tracked[] = [];
  afterAll(async () => {
    for (const p of started.reverse()) await p.stop();
  });

  const startNobodyWorkload = async (tag: string): Promise<Tracked> => {
    // a copy user nobody can read (the checkout may live under a private home)
    const dir = tempDir("fleetprof-nobody-");
    chmodSync(dir, 0o755);
    const script = join(dir, "cpu_split.py");
    copyFileSync(join(WORKLOADS_DIR, "cpu_split.py"), script);
    chmodSync(script, 0o644);
    const w = spawnTracked(
      "setpriv",
      ["--reuid=65534", "--regid=65534", "--clear-groups", SYSTEM_PYTHON, "-u", script, "--alpha", "30", "--beta", "0", "--gamma", "0", "--seconds", tag],
      { cwd: dir },
    );
    started.push(w);
    const m = await w.waitFor(/READY (\d+)/, 15_000);
    return { ...w, pid: Number(m[1]) };
  };

  const startAgent = (ns: NatsServer, host: string, tag: string, privileges: string[]): Tracked => {
    const agent = spawnTracked(
      "setpriv",
      [
        ...privileges,
        process.execPath,
        "--conditions=@fleetprof/source",
        "--import",
        "tsx",
        AGENT_ENTRY,
        "--nats-url",
        ns.url,
        "--host",
        host,
        "--include",
        `--seconds ${tag}`,
        "--window",
        "2s",
        "--interval",
        "500ms",
        "--min-age",
        "300ms",
        "--spool-dir",
        tempDir("fleetprof-spool-"),
      ],
      { cwd: REPO_DIR, env: { ...process.env, FLEETPROF_LOG_FORMAT: "json" } },
    );
    started.push(agent);
    return agent;
  };

  it("profiles another user's process with CAP_SYS_PTRACE as its only capability, and cannot without it", async () => {
    const ns = await startNats();
    const tag = `9${String(Math.floor(Math.random() * 1e8)).padStart(8, "0")}`;
    const workload = await startNobodyWorkload(tag);

    const unitPrivileges = setprivArgsFromUnit();
    expect(unitPrivileges).toContain("--bounding-set=-all,+sys_ptrace");
    const agent = startAgent(ns, "ptrace-only", tag, unitPrivileges);
    // On a timeout the assertions below say what was seen.
    let windows = 0;
    await waitUntil("two windows of nobody's process", async () => (windows = await windowsFor(ns, "ptrace-only", workload.pid)) >= 2, 30_000, 500).catch(
      () => undefined,
    );
    const status = readFileSync(`/proc/${String(agent.pid)}/status`, "utf8");
    console.log(`agent with ${unitPrivileges.join(" ")}: ${String(windows)} windows of nobody's pid ${String(workload.pid)}`);
    // the node process itself (setpriv exec'd into it) holds CAP_SYS_PTRACE and nothing else
    expect(/^CapEff:\s+(\S+)$/m.exec(status)?.[1]).toBe(CAP_SYS_PTRACE_MASK);
    expect(/^CapBnd:\s+(\S+)$/m.exec(status)?.[1]).toBe(CAP_SYS_PTRACE_MASK);
    expect(/^NoNewPrivs:\s+1$/m.test(status)).toBe(true);
    expect(windows).toBeGreaterThanOrEqual(2);
    await agent.stop();

    // Without it (root, no capabilities at all), py-spy cannot read the process.
    const none = startAgent(ns, "no-caps", tag, ["--bounding-set=-all", "--inh-caps=-all", "--securebits=+noroot,+noroot_locked", "--no-new-privs"]);
    const refused = await none.waitFor(/\{[^\n]*"kind":"permission"[^\n]*\}/, 30_000);
    console.log(`agent without capabilities: ${(JSON.parse(refused[0]) as { msg: string }).msg}`);
    // A window and a half: nothing may have been sampled. Only time passing shows an absence.
    await sleep(3000);
    expect(await windowsFor(ns, "no-caps", workload.pid)).toBe(0);
    await none.stop();
  });
});
