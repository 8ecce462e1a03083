/**
 * Dump and capture end to end: real nats-server, the real collector on an embedded store, a real
 * agent with real py-spy profiling three workloads (one blocked in a lock, two busy), and the
 * query API with --nats-url. The agent runs in the default cpu mode, so the blocked process
 * sends no samples. Dump: the busy processes are found from their recent samples, the blocked
 * one from the agents' answers on the fleet-wide status subject; the blocked stack is its own
 * group; each process is shown. Capture: 500 Hz for 3 s of a busy
 * process gives its functions, and the samples stay queryable by capture id. An unknown host,
 * a dead pid, a too-long capture, a busy agent, a selector matching nothing or several
 * processes, and a query API without NATS each get their status and a clear message.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { startAgent } from "@fleetprof/agent";
import { collectorOptions, startCollector } from "@fleetprof/collector";
import { createLogger, ErrorCode, loadConfig, type FleetprofError } from "@fleetprof/common";
import {
  AgentStatusReplySchema,
  AgentStatusRequestSchema,
  controlSubject,
  type FlameGraph,
  type QueryServiceCaptureResponse,
  type QueryServiceDumpResponse,
} from "@fleetprof/proto";
import { createQueryClient, startQueryApi, type QueryClient } from "@fleetprof/query-api";
import { openStore, queryRows, type Store } from "@fleetprof/store";
import { pySpyPath, startNats, startWorkload, tempDir, type Workload, errorOf, waitUntil } from "@fleetprof/test";
import { connect } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./run-cli.js";

const stops: (() => Promise<unknown>)[] = [];
const logger = createLogger({ level: "warn", format: "json" });
let store: Store;
let client: QueryClient;
let address: string;
let host: string;
let busy1: Workload;
let busy2: Workload;
let blocked: Workload;

const fleetprof = (argv: string[]) => runCli(argv, { env: { FLEETPROF_API: address }, cwd: tempDir("fleetprof-cli-dump-") });

beforeAll(async () => {
  const ns = await startNats();
  stops.push(ns.stop);
  store = await openStore(`chdb://${tempDir("fleetprof-dump-")}`);
  stops.push(() => store.close());
  const { config } = loadConfig(collectorOptions, { argv: ["--nats-url", ns.url, "--metrics-listen", "", "--flush-interval", "100ms"], env: {} });
  const collector = await startCollector(config, { store, logger });
  stops.push(() => collector.stop());

  // cpu_split's --seconds is the tag: a number far beyond the test that nothing else on the machine has.
  const tag = `9${String(Math.floor(Math.random() * 1e8)).padStart(8, "0")}`;
  const cpuArgs = ["--alpha", "60", "--beta", "30", "--gamma", "10", "--seconds", tag];
  [busy1, busy2, blocked] = await Promise.all([
    startWorkload("cpu_split", { args: cpuArgs }),
    startWorkload("cpu_split", { args: cpuArgs }),
    startWorkload("blocked", { args: [tag] }),
  ]);
  for (const w of [busy1, busy2, blocked]) stops.push(() => w.stop());

  host = `dump-${randomUUID().slice(0, 8)}`;
  // The default cpu mode: the process blocked in a lock is idle and sends no samples, so only the agents' answers on
  // the fleet-wide status subject make it findable by selector; one-second windows get samples to the store quickly.
  const agent = await startAgent(
    {
      natsUrl: ns.url,
      host,
      include: [tag],
      profileOwnChildren: true,
      interval: 500,
      window: 1000,
      minAge: 300,
      pySpy: pySpyPath(),
      spoolDir: tempDir("agent-spool-"),
      captureMaxConcurrent: 1,
    },
    logger,
  );
  stops.push(() => agent.stop());

  const api = await startQueryApi({ host: "127.0.0.1", port: 0, natsUrl: ns.url }, { store, logger });
  stops.push(() => api.stop());
  address = api.address;
  client = createQueryClient(address);
  stops.push(() => Promise.resolve(client.close()));

  // The two busy processes have samples in the store, and the agent's control endpoint answers and profiles all three.
  const pids = [busy1.pid, busy2.pid];
  await waitUntil("samples of the two busy workloads", async () => {
    const rows = await queryRows<[number]>(store, `SELECT uniqExact(pid) FROM ${store.db}.samples WHERE host = {host:String} AND pid IN {pids:Array(UInt32)}`, {
      host,
      pids,
    });
    return Number(rows[0]?.[0] ?? 0) === 2;
  });
  const nc = await connect({ servers: ns.url });
  try {
    await waitUntil("the agent's control endpoint", async () => {
      try {
        const m = await nc.request(controlSubject(host, "status"), toBinary(AgentStatusRequestSchema, create(AgentStatusRequestSchema)), { timeout: 1000 });
        const reported = fromBinary(AgentStatusReplySchema, m.data)
          .processes.filter((p) => p.state !== "finished")
          .map((p) => p.pid);
        return [busy1.pid, busy2.pid, blocked.pid].every((pid) => reported.includes(pid));
      } catch {
        return false;
      }
    });
  } finally {
    await nc.close();
  }
});

afterAll(async () => {
  for (const s of stops.reverse()) await s();
});

function groupWith(res: QueryServiceDumpResponse, fn: string): QueryServiceDumpResponse["groups"] {
  return res.groups.filter((g) => g.frames.some((f) => f.function === fn));
}

describe("dump", () => {
  it("finds the busy processes from recent samples and the blocked one (no samples in cpu mode) from the agents, groups the blocked stack apart and shows every process", async () => {
    // The blocked process never sent a sample: only the agent's answer on the fleet-wide status subject names it.
    const sampled = await queryRows<[number]>(store, `SELECT count() FROM ${store.db}.samples WHERE host = {host:String} AND pid = {pid:UInt32}`, {
      host,
      pid: blocked.pid,
    });
    expect(Number(sampled[0]?.[0])).toBe(0);
    const res = await client.dump({ selector: `{host="${host}"}` });
    expect(res.unanswered).toEqual([]);
    expect(res.processes.map((p) => p.pid)).toEqual([busy1.pid, busy2.pid, blocked.pid].sort((a, b) => a - b));
    for (const p of res.processes) {
      expect(p.error, `pid ${String(p.pid)}`).toBe("");
      expect(p.host).toBe(host);
      expect(p.threads.length).toBeGreaterThan(0);
    }
    expect(res.threads).toBe(res.processes.reduce((n, p) => n + p.threads.length, 0));
    expect(res.groups.reduce((n, g) => n + g.threads, 0)).toBe(res.threads);

    // The blocked main thread is one group of its own: only the blocked process, leaf wait_for_lock, idle.
    const waiting = groupWith(res, "wait_for_lock");
    expect(waiting).toHaveLength(1);
    const group = waiting[0];
    expect(group?.frames.at(-1)?.function).toBe("wait_for_lock");
    expect(group?.members.map((m) => [m.pid, m.threadName])).toEqual([[blocked.pid, "MainThread"]]);
    expect(group?.active).toBe(0);
    const blockedProcess = res.processes.find((p) => p.pid === blocked.pid);
    expect(blockedProcess?.service).toBe("blocked");
    const index = res.groups.indexOf(group as QueryServiceDumpResponse["groups"][number]);
    expect(blockedProcess?.threads.find((t) => t.name === "MainThread")?.group).toBe(index);

    // The busy ones never share it, and each has its main thread in its own loop.
    for (const w of [busy1, busy2]) {
      const p = res.processes.find((x) => x.pid === w.pid);
      expect(p?.service).toBe("cpu_split");
      const main = p?.threads.find((t) => t.name === "MainThread");
      const frames = res.groups[main?.group ?? -1]?.frames.map((f) => f.function) ?? [];
      expect(frames.slice(0, 2)).toEqual(["<module>", "main"]);
      expect(frames).not.toContain("wait_for_lock");
    }
  });

  it("finds a blocked process that sent no samples by its own selector, mode included, and shows where it waits", async () => {
    const res = await client.dump({ selector: `blocked{host="${host}", mode="cpu", pid="${String(blocked.pid)}", thread!="x"}` });
    expect(res.unanswered).toEqual([]);
    expect(res.processes.map((p) => [p.pid, p.service, p.error])).toEqual([[blocked.pid, "blocked", ""]]);
    expect(groupWith(res, "wait_for_lock")[0]?.frames.at(-1)?.function).toBe("wait_for_lock");

    const cli = await fleetprof(["dump", `blocked{host="${host}"}`]);
    expect(cli.err).toBe("");
    expect(cli.code).toBe(0);
    expect(cli.out).toMatch(/^1 process on 1 host · 2 threads in 2 distinct stacks\n/);
    expect(cli.out).toMatch(/\n\s+wait_for_lock\s+\S*blocked\.py:\d+\n/);

    // Not in wall mode: the agent runs in cpu mode.
    const none = await errorOf(client.dump({ selector: `blocked{host="${host}", mode="wall"}` }));
    expect(none.code).toBe(ErrorCode.NotFound);
  });

  it("fleetprof dump prints the groups, and with --details each process", async () => {
    const res = await fleetprof(["dump", `{host="${host}"}`, "--details"]);
    expect(res.err).toBe("");
    expect(res.code).toBe(0);
    expect(res.out).toMatch(/^3 processes on 1 host · \d+ threads in \d+ distinct stacks\n/);
    expect(res.out).toMatch(
      new RegExp(
        `#\\d+  1 thread in 1 process · idle\\n\\s+wait_for_lock\\s+\\S*blocked\\.py:\\d+\\n\\s+main\\s+\\S*blocked\\.py:\\d+\\n\\s+<module>[^\\n]*\\n\\s+${host} pid ${String(blocked.pid)} blocked \\(MainThread\\)`,
      ),
    );
    for (const w of [busy1, busy2])
      expect(res.out).toMatch(new RegExp(`${host} pid ${String(w.pid)} cpu_split(@\\S+)?: 1 thread\\n\\s+MainThread\\s+${String(w.pid)}\\s+active`));
    expect(res.out).toMatch(new RegExp(`${host} pid ${String(blocked.pid)} blocked(@\\S+)?: 2 threads`));

    const direct = await fleetprof(["dump", "--host", host, "--pid", String(blocked.pid)]);
    expect(direct.out).toMatch(/^1 process on 1 host · 2 threads in 2 distinct stacks\n/);
  });

  it("says which host, which pid or which selector is wrong, and that NATS is needed", async () => {
    const unknown = await errorOf(client.dump({ host: "no-such-host" }));
    expect(unknown.code).toBe(ErrorCode.NotFound);
    expect(unknown.message).toMatch(/no agent answers on fleetprof\.ctl\.no-such-host\.dump: is fleetprof agent running on no-such-host/);

    const dead = spawnSync("true").pid;
    const gone = await errorOf(client.dump({ host, pids: [dead] }));
    expect(gone.code).toBe(ErrorCode.NotFound);
    expect(gone.message).toContain(String(dead));

    const nothing = await errorOf(client.dump({ selector: '{service="no-such-service"}' }));
    expect(nothing.code).toBe(ErrorCode.NotFound);
    expect(nothing.message).toMatch(/no process sent samples matching \{service="no-such-service"\} in the last 5m/);

    const cli = await fleetprof(["dump", "--host", "no-such-host"]);
    expect(cli.code).not.toBe(0);
    expect(cli.err).toMatch(/^fleetprof dump: .*no agent answers on fleetprof\.ctl\.no-such-host\.dump/);

    const plain = await startQueryApi({ host: "127.0.0.1", port: 0 }, { store, logger: createLogger({ level: "silent" }) });
    const plainClient = createQueryClient(plain.address);
    try {
      const off = await errorOf(plainClient.dump({ host }));
      expect(off.code).toBe(ErrorCode.Unavailable);
      expect(off.message).toMatch(/start it with --nats-url/);
    } finally {
      plainClient.close();
      await plain.stop();
    }
  });
});

/** Self samples of frames named `fn` in a flame graph. */
function selfOf(graph: FlameGraph | undefined, fn: string): number {
  if (graph === undefined) return 0;
  return graph.nodes.filter((n) => graph.strings[n.name] === fn).reduce((sum, n) => sum + Number(n.total), 0);
}

describe("capture", () => {
  it("captures one process at 500 Hz for 3 s with progress, its flame graph stays queryable by capture id, and a second capture meanwhile is RESOURCE_EXHAUSTED", async () => {
    const messages: QueryServiceCaptureResponse[] = [];
    let busyError: FleetprofError | undefined;
    for await (const m of client.capture({ host, pid: busy1.pid, durationMs: 3000, rateHz: 500 })) {
      messages.push(m);
      if (m.event.case === "progress" && m.event.value.stage === "started") {
        // capture-max-concurrent is 1 in this agent.
        const second = client.capture({ host, pid: busy2.pid, durationMs: 1000, rateHz: 100 });
        busyError = await errorOf(
          (async () => {
            for await (const x of second) void x;
          })(),
        );
      }
    }
    expect(busyError?.code).toBe(ErrorCode.ResourceExhausted);
    expect(busyError?.message).toMatch(/capture-max-concurrent 1/);
    const stages = messages.flatMap((m) => (m.event.case === "progress" ? [m.event.value.stage] : []));
    expect(stages[0]).toBe("started");
    expect(stages.slice(-2)).toEqual(["sampled", "stored"]);
    const captureId = messages[0]?.captureId ?? "";
    expect(captureId).toMatch(/^[0-9a-f-]{36}$/);
    const last = messages.at(-1);
    expect(last?.event.case).toBe("flameGraph");
    const graph = last?.event.case === "flameGraph" ? last.event.value : undefined;
    const sampled = messages.find((m) => m.event.case === "progress" && m.event.value.stage === "sampled");
    const samples = sampled?.event.case === "progress" ? Number(sampled.event.value.samples) : 0;
    expect(Number(graph?.total)).toBe(samples);
    // 3 s × 500 Hz of a busy main thread: about 1 500 (the agent's own test bounds it at 80–100 %).
    expect(samples).toBeGreaterThanOrEqual(1200);
    const [a, b, g] = ["alpha", "beta", "gamma"].map((fn) => selfOf(graph, fn)) as [number, number, number];
    expect(a).toBeGreaterThan(b);
    expect(b).toBeGreaterThan(g);
    expect(g).toBeGreaterThan(0);

    const later = await client.flameGraph({ selector: `{capture_id="${captureId}"}` });
    expect(later.flameGraph?.total).toBe(graph?.total);
  });

  it("fleetprof capture writes the flame graph file and says the capture id", async () => {
    const dir = tempDir("fleetprof-capture-");
    const file = join(dir, "incident.html");
    const res = await fleetprof(["capture", "--host", host, "--pid", String(busy2.pid), "--duration", "1s", "--rate", "200", "-o", file]);
    expect(res.err).toMatch(new RegExp(`^capture [0-9a-f-]{36}: ${host} pid ${String(busy2.pid)}, 200 Hz for 1s\\n`));
    expect(res.err).toMatch(/stored: [\d,]+ samples, query them with \{capture_id="[0-9a-f-]{36}"\}/);
    expect(res.code).toBe(0);
    expect(existsSync(file)).toBe(true);
    expect(readFileSync(file, "utf8")).toContain("alpha");
  });

  it("says why a capture cannot run: too long, dead pid, unknown host, several processes", async () => {
    const long = await errorOf(drain(client.capture({ host, pid: busy1.pid, durationMs: 120_000, rateHz: 100 })));
    expect(long.code).toBe(ErrorCode.InvalidArgument);
    expect(long.message).toBe("duration 2m is over this server's limit of 1m (option capture-max-duration): ask for a shorter capture");

    const dead = spawnSync("true").pid;
    const gone = await errorOf(drain(client.capture({ host, pid: dead, durationMs: 1000 })));
    expect(gone.code).toBe(ErrorCode.NotFound);
    expect(gone.message).toContain(`pid ${String(dead)} is not a running Python process`);

    const unknown = await errorOf(drain(client.capture({ host: "no-such-host", pid: 1, durationMs: 1000 })));
    expect(unknown.code).toBe(ErrorCode.NotFound);
    expect(unknown.message).toMatch(/no agent answers on fleetprof\.ctl\.no-such-host\.capture/);

    const several = await errorOf(drain(client.capture({ selector: `{host="${host}"}`, durationMs: 1000 })));
    expect(several.code).toBe(ErrorCode.InvalidArgument);
    expect(several.message).toMatch(/^3 processes match .*a capture is of one process/);
  });
});

async function drain(stream: AsyncIterable<unknown>): Promise<void> {
  for await (const x of stream) void x;
}
