/**
 * Shared pieces of the agent's integration tests: running the agent as its own process,
 * reading back everything it published to JetStream, and summing stacks by function.
 */
import { randomUUID } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { SAMPLES_STREAM } from "@fleetprof/common";
import { decodeBatch, ENCODING_HEADER, type ProcessProfile, type SampleBatch } from "@fleetprof/proto";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { spawnTracked, tempDir, type Tracked } from "@fleetprof/test";

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const AGENT_MAIN = join(REPO_ROOT, "agent", "src", "main.ts");

/** A token no other engineer's process has on its command line: the agent's --include for this test. */
export function marker(): string {
  return `9${String(Math.floor(Math.random() * 1e8)).padStart(8, "0")}`;
}

export interface AgentProcess extends Tracked {
  /** JSON log lines so far. */
  logs: () => LogLine[];
}

export interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

/**
 * `node agent/src/main.ts …` (sources through tsx), optionally under another command prefix
 * (e.g. setpriv to drop privileges).
 */
export function spawnAgent(args: string[], options: { prefix?: string[]; env?: Record<string, string> } = {}): AgentProcess {
  const nodeArgs = ["--conditions=@fleetprof/source", "--import", "tsx", AGENT_MAIN, ...args];
  const prefix = options.prefix ?? [];
  const [cmd, ...rest] = [...prefix, process.execPath, ...nodeArgs] as [string, ...string[]];
  const child = spawnTracked(cmd, rest, {
    cwd: REPO_ROOT,
    env: { ...process.env, FLEETPROF_LOG_FORMAT: "json", FLEETPROF_LOG_LEVEL: "debug", ...options.env },
  });
  const logs = (): LogLine[] =>
    child
      .stdout()
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as LogLine);
  return { ...child, logs };
}

/** Standard agent flags for tests: short windows, fast scans, a private spool, our processes only. */
export function agentArgs(natsUrl: string, include: string, extra: string[] = []): string[] {
  return [
    "--nats-url",
    natsUrl,
    "--host",
    `test-${randomUUID().slice(0, 8)}`,
    "--include",
    include,
    "--interval",
    "500ms",
    "--min-age",
    "300ms",
    "--spool-dir",
    tempDir("agent-spool-"),
    ...extra,
  ];
}

export interface Published {
  subject: string;
  msgId: string;
  batch: SampleBatch;
}

/** Every message in the samples stream, decoded, in stream order. */
export async function readPublished(natsUrl: string): Promise<Published[]> {
  const nc = await connect({ servers: natsUrl });
  try {
    const jsm = await jetstreamManager(nc);
    let info;
    try {
      info = await jsm.streams.info(SAMPLES_STREAM);
    } catch {
      return [];
    }
    const out: Published[] = [];
    for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
      const m = await jsm.streams.getMessage(SAMPLES_STREAM, { seq });
      if (m === null) continue;
      out.push({ subject: m.subject, msgId: m.header.get("Nats-Msg-Id"), batch: decodeBatch(m.data, m.header.get(ENCODING_HEADER)) });
    }
    return out;
  } finally {
    await nc.close();
  }
}

export function profilesOf(published: Published[], pid: number): ProcessProfile[] {
  return published
    .flatMap((p) => p.batch.profiles)
    .filter((p) => p.pid === pid)
    .sort((a, b) => Number(a.windowStartUnixMs - b.windowStartUnixMs));
}

export function totalSamples(profiles: ProcessProfile[]): number {
  let t = 0;
  for (const p of profiles) for (const s of p.stacks) t += Number(s.count);
  return t;
}

/** Samples whose stack contains a frame of function `fn` (inclusive time). */
export function samplesIn(profiles: ProcessProfile[], fn: string): number {
  let t = 0;
  for (const p of profiles) {
    for (const s of p.stacks) {
      if (s.frameIds.some((f) => p.strings[p.frames[f]?.function ?? -1] === fn)) t += Number(s.count);
    }
  }
  return t;
}

/** Running py-spy processes that are children of `parent` (other agents on this machine may profile our workloads too). */
export function pySpyChildren(parent: number): number[] {
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
      const stat = readFileSync(`/proc/${entry}/stat`, "latin1");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (fields[0] === "Z" || Number(fields[1]) !== parent) continue;
      if (argv.some((a) => a.endsWith("py-spy"))) found.push(Number(entry));
    } catch {
      // gone
    }
  }
  return found;
}

/** Which of these pids still run (not zombies). */
export function stillRunning(pids: number[]): number[] {
  return pids.filter((pid) => {
    try {
      return !/\) Z /.test(readFileSync(`/proc/${String(pid)}/stat`, "latin1"));
    } catch {
      return false;
    }
  });
}
