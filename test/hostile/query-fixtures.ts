/**
 * Data and hostile parties for the query API's hostile suite: profiles written through the
 * store's real writer (rollups summed as the collector sums them), a large generated dataset
 * written inside ClickHouse, and a NATS client that answers control subjects the way an agent
 * with a stolen credential could.
 */
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { AgentStatusReplySchema, CONTROL_SUBJECT_PREFIX, DumpReplySchema, DumpRequestSchema, fleetStatusSubject, ProfileMode } from "@fleetprof/proto";
import { queryRows, stacksFromList, type BatchInput, type ProfileInput, type Store } from "@fleetprof/store";
import type { NatsConnection } from "@nats-io/transport-node";

/** One profile of `service`: stacks "a;b;c" → count, one thread, window start `timeMs`. */
export function profile(p: {
  service: string;
  version?: string;
  pid?: number;
  timeMs: number;
  stacks: Record<string, number>;
  labels?: Record<string, string>;
  captureId?: string;
}): ProfileInput {
  const strings: string[] = ["MainThread"];
  const index = (s: string): number => {
    let i = strings.indexOf(s);
    if (i === -1) i = strings.push(s) - 1;
    return i;
  };
  const frames: { function: number; file: number; line: number }[] = [];
  const frameOf = (name: string): number => {
    const fn = index(name);
    const file = index(`${p.service}.py`);
    let i = frames.findIndex((f) => f.function === fn && f.file === file);
    if (i === -1) i = frames.push({ function: fn, file, line: 10 }) - 1;
    return i;
  };
  const stacks = stacksFromList(Object.entries(p.stacks).map(([path, count]) => ({ frameIds: path.split(";").map(frameOf), thread: 0, count })));
  return {
    pid: p.pid ?? 100,
    service: p.service,
    version: p.version ?? "1.0",
    labels: p.labels ?? {},
    mode: "cpu",
    windowStartUnixMs: p.timeMs,
    captureId: p.captureId ?? "",
    strings,
    frames,
    stacks,
  };
}

let batches = 0;
/** A batch of one host's profiles. */
export function batch(host: string, profiles: ProfileInput[]): BatchInput {
  return { batchId: `hostile-query-${String(process.pid)}-${String(++batches)}`, host, profiles };
}

/** The start of the current minute, unix ms. */
export function thisMinute(): number {
  return Math.floor(Date.now() / 60_000) * 60_000;
}

export const HEAVY = { service: "heavy", rows: 1_500_000, stacks: 20_000, depth: 24, frames: 3000, hosts: 50, spanSeconds: 2400 } as const;

/**
 * A fleet's worth of distinct stacks for one service, generated inside ClickHouse: `HEAVY.rows`
 * raw sample rows of count 1 over the 40 minutes before `endMs`, `HEAVY.stacks` distinct stacks
 * `HEAVY.depth` frames deep, spread over many roots (a flame graph of ~480 000 nodes).
 */
export async function writeHeavyDataset(store: Store, endMs: number): Promise<{ startMs: number; total: number }> {
  const start = Math.floor(endMs / 1000) - HEAVY.spanSeconds - 60;
  const run = (sql: string): Promise<unknown> => store.client.command({ query: sql });
  await run(
    `INSERT INTO ${store.db}.frames SELECT number, concat('fn_', toString(number)), concat('mod_', toString(number % 50), '.py'), 10, now() FROM numbers(${String(HEAVY.frames)})`,
  );
  await run(
    `INSERT INTO ${store.db}.stacks SELECT 1000000 + number AS id, arrayMap(d -> toUInt64((number * 7919 + d * 104729) % ${String(HEAVY.frames)}), range(${String(HEAVY.depth)})) AS f, ${String(HEAVY.depth)}, f[${String(HEAVY.depth)}], now() FROM numbers(${String(HEAVY.stacks)})`,
  );
  await run(
    `INSERT INTO ${store.db}.samples (time, service, version, host, pid, mode, thread, labels, stack_id, count, capture_id, batch)
     SELECT toDateTime(${String(start)} + number % ${String(HEAVY.spanSeconds)}), '${HEAVY.service}', '1.0', concat('heavy-', toString(number % ${String(HEAVY.hosts)})), 1000 + number % ${String(HEAVY.hosts)},
            'cpu', 'MainThread', map(), 1000000 + (number * 13) % ${String(HEAVY.stacks)}, 1, '', 0
     FROM numbers(${String(HEAVY.rows)})`,
  );
  const [row] = await queryRows<[number]>(store, `SELECT sum(count) FROM ${store.db}.samples WHERE service = '${HEAVY.service}'`, {});
  return { startMs: start * 1000, total: Number(row?.[0] ?? 0) };
}

/**
 * A hostile agent: answers the fleet-wide status request as `host` (any name it likes) profiling
 * `pids`, and every dump request on any host's subject with one thread per asked pid, recording
 * what was asked (host → pids).
 */
export function hostileAgent(nc: NatsConnection, host: string, pids: number[]): { asked: Map<string, number[]>; stop: () => void } {
  const asked = new Map<string, number[]>();
  const status = nc.subscribe(fleetStatusSubject(), {
    callback: (_err, m) => {
      m.respond(
        toBinary(
          AgentStatusReplySchema,
          create(AgentStatusReplySchema, {
            host,
            mode: ProfileMode.CPU,
            processes: pids.map((pid) => ({ pid, service: "api", version: "1.0", state: "running" })),
          }),
        ),
      );
    },
  });
  const dumps = nc.subscribe(`${CONTROL_SUBJECT_PREFIX}.*.dump`, {
    callback: (_err, m) => {
      const target = m.subject.split(".")[2] ?? "";
      const req = fromBinary(DumpRequestSchema, m.data);
      asked.set(target, [...req.pids]);
      const processes = req.pids.map((pid) => ({
        pid,
        service: "fan",
        threads: [{ threadId: BigInt(pid), name: "MainThread", frames: [{ function: "wait", file: "fan.py", line: 1 }] }],
      }));
      m.respond(toBinary(DumpReplySchema, create(DumpReplySchema, { host: target, processes })));
    },
  });
  return {
    asked,
    stop: () => {
      status.unsubscribe();
      dumps.unsubscribe();
    },
  };
}
