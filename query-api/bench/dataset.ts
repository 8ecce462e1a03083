/**
 * The benchmark dataset, generated inside ClickHouse (`INSERT … SELECT … FROM numbers(…)`):
 * 1 000 hosts, 20 services (50 hosts each), 3 versions per service, 24 h of 10 s windows,
 * 1 500 distinct stacks per service (30 000 in all, 20–39 frames deep, sharing prefixes like
 * real call trees). Each host samples a working set of about 150 of its service's stacks with a
 * skewed choice (a few hot paths, a long tail), so hours repeat stacks the way real processes do.
 * Raw rows go straight into `samples` (no rollup view fires on it: the collector sends rollup
 * sums through the staging table), and the rollups and the window coverage (`process_windows`,
 * 100 Hz, 10 s windows, and its hourly sums) are filled afterwards by INSERT … SELECT, as the
 * collector would have written them.
 */
import { queryRows, type Store } from "@fleetprof/store";

export const SERVICES = 20;
export const HOSTS = 1000;
export const VERSIONS = 3;
export const STACKS_PER_SERVICE = 1500;
export const FUNCTIONS_PER_SERVICE = 1000;

export interface Dataset {
  rows: number;
  startMs: number;
  endMs: number;
  generateMs: number;
}

async function exec(store: Store, query: string, params: Record<string, unknown> = {}): Promise<void> {
  const t = performance.now();
  await store.client.command({ query, query_params: params, clickhouse_settings: { max_execution_time: 3600 } });
  if (process.env["FLEETPROF_BENCH_VERBOSE"] !== undefined) console.log(`  ${query.split("\n")[0] ?? ""}: ${(performance.now() - t).toFixed(0)} ms`);
}

/** The query parameters every INSERT below shares. */
interface Shape {
  t0: number;
  s: number;
  k: number;
  f: number;
}

/** Frames: svcN.module.function in /srv/svcN/module.py. */
async function insertFrames(store: Store, p: Shape): Promise<void> {
  await exec(
    store,
    `INSERT INTO ${store.db}.frames (frame_id, function, file, line, last_seen)
SELECT number + 1 AS frame_id,
  concat('svc', toString(intDiv(number, {f:UInt32})), '.mod', toString(number % 37), '.fn_', toString(number % {f:UInt32})) AS function,
  concat('/srv/svc', toString(intDiv(number, {f:UInt32})), '/mod', toString(number % 37), '.py') AS file,
  toUInt32(10 + number % 400) AS line,
  now()
FROM numbers({s:UInt32} * {f:UInt32})`,
    { ...p },
  );
}

/**
 * Stacks: frame at depth d depends on the stack's index shifted right by (11 - d) bits, so
 * shallow frames are shared by many stacks and deep ones by few.
 */
async function insertStacks(store: Store, p: Shape): Promise<void> {
  await exec(
    store,
    `INSERT INTO ${store.db}.stacks (stack_id, frame_ids, depth, leaf_frame_id, last_seen)
SELECT cityHash64('stack', svc, s) AS stack_id,
  arrayMap(d -> toUInt64(svc * {f:UInt32} + 1 + cityHash64(svc, d, bitShiftRight(s, greatest(0, 11 - toInt32(d)))) % {f:UInt32}), range(20 + s % 20)) AS frame_ids,
  toUInt16(length(frame_ids)), frame_ids[-1], now()
FROM (SELECT intDiv(number, {k:UInt32}) AS svc, number % {k:UInt32} AS s FROM numbers({s:UInt32} * {k:UInt32}))`,
    { ...p },
  );
}

/** Samples: row n → host, window, stack. Each host runs one service and one version. Returns the rows written. */
async function insertSamples(store: Store, p: Shape, rows: number, windows: number): Promise<number> {
  const perWindow = Math.max(1, Math.ceil(rows / HOSTS / windows));
  const total = perWindow * HOSTS * windows;
  await exec(
    store,
    `INSERT INTO ${store.db}.samples (time, service, version, host, pid, mode, thread, labels, stack_id, count, capture_id, batch)
SELECT toDateTime({t0:UInt32} + w * 10) AS time,
  concat('svc', toString(svc)) AS service,
  concat('1.', toString(intDiv(h, {s:UInt32}) % 3)) AS version,
  concat('host-', toString(h)) AS host,
  toUInt32(1000 + h) AS pid, 'cpu' AS mode, 'MainThread' AS thread,
  map('region', ['eu', 'us', 'ap'][1 + h % 3], 'zone', concat('z', toString(h % 7))) AS labels,
  cityHash64('stack', svc, (h * 37 + toUInt64(pow((cityHash64(n) % 1000000) / 1000000.0, 3) * 150)) % {k:UInt32}) AS stack_id,
  1 + cityHash64(n, 7) % 20 AS count,
  '' AS capture_id,
  0 AS batch
FROM (
  SELECT number AS n, intDiv(number, {pw:UInt32}) % {hosts:UInt32} AS h, h % {s:UInt32} AS svc, intDiv(number, {pw:UInt32} * {hosts:UInt32}) AS w
  FROM numbers({total:UInt64})
)
SETTINGS max_insert_threads = 2`,
    { ...p, pw: perWindow, hosts: HOSTS, total },
  );
  return total;
}

/**
 * Per-minute: one rollup row per raw row (a host rarely repeats a stack within a minute here);
 * the SummingMergeTree sums on merges and every read sums anyway. Per-hour: aggregated.
 */
async function insertRollups(store: Store): Promise<void> {
  const db = store.db;
  await exec(
    store,
    `INSERT INTO ${db}.samples_1m (time, service, version, host, mode, thread, labels_hash, labels, stack_id, count)
SELECT toStartOfMinute(time), service, version, host, mode, thread, cityHash64(mapKeys(labels), mapValues(labels)), labels, stack_id, count
FROM ${db}.samples
SETTINGS optimize_on_insert = 0, max_insert_threads = 2`,
  );
  await exec(
    store,
    `INSERT INTO ${db}.samples_1h (time, service, version, host, mode, thread, labels_hash, labels, stack_id, count)
SELECT toStartOfHour(time) AS b, service, version, host, mode, thread, cityHash64(mapKeys(labels), mapValues(labels)) AS lh, any(labels), stack_id, sum(count)
FROM ${db}.samples
GROUP BY b, service, version, host, mode, thread, lh, stack_id
SETTINGS optimize_on_insert = 0, max_insert_threads = 2`,
  );
}

/** Window coverage, as the collector writes it: one row per process and 10 s window at 100 Hz, and its hourly sums. */
async function insertCoverage(store: Store): Promise<void> {
  const db = store.db;
  await exec(
    store,
    `INSERT INTO ${db}.process_windows (time, service, version, host, pid, mode, capture_id, labels, rate_hz, window_ms, samples, expected, batch, seq)
SELECT time, service, version, host, pid, mode, '', any(labels), 100, 10000, sum(count), 0, 0, 0
FROM ${db}.samples
GROUP BY time, service, version, host, pid, mode
SETTINGS max_insert_threads = 2`,
  );
  await exec(
    store,
    `INSERT INTO ${db}.process_windows_1h (time, service, version, host, pid, mode, capture_id, labels_hash, labels, rate_hz, windows, window_ms, observed_ms, samples)
SELECT toStartOfHour(time) AS h, service, version, host, pid, mode, capture_id, cityHash64(mapKeys(labels), mapValues(labels)) AS lh, any(labels), rate_hz, count(), sum(window_ms), sum(window_ms), sum(samples)
FROM ${db}.process_windows
GROUP BY h, service, version, host, pid, mode, capture_id, lh, rate_hz
SETTINGS max_insert_threads = 2`,
  );
}

/** Writes `rows` sample rows spread over the 24 h before the last full hour. */
export async function generateDataset(store: Store, rows: number): Promise<Dataset> {
  const endMs = Math.floor(Date.now() / 3_600_000) * 3_600_000;
  const startMs = endMs - 24 * 3_600_000;
  const windows = 24 * 360; // 10 s windows
  const started = performance.now();
  const p: Shape = { t0: startMs / 1000, s: SERVICES, k: STACKS_PER_SERVICE, f: FUNCTIONS_PER_SERVICE };
  await insertFrames(store, p);
  await insertStacks(store, p);
  const total = await insertSamples(store, p, rows, windows);
  await insertRollups(store);
  await insertCoverage(store);
  await exec(store, `OPTIMIZE TABLE ${store.db}.stacks FINAL`);
  await exec(store, `OPTIMIZE TABLE ${store.db}.frames FINAL`);
  return { rows: total, startMs, endMs, generateMs: performance.now() - started };
}

/** Waits (at most `maxMs`) for the merges a bulk load started: they would compete with the first figures. Returns the ms waited. */
export async function waitForMerges(store: Store, maxMs = 180_000): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < maxMs) {
    const merges = Number((await queryRows<[number]>(store, "SELECT count() FROM system.merges", {}))[0]?.[0] ?? 0);
    if (merges === 0) break;
    await new Promise((r) => setTimeout(r, 1000));
  }
  return performance.now() - started;
}

/** The dataset of an earlier run kept in FLEETPROF_BENCH_DATA: its 24 h end at the hour after its last sample. */
export async function keptDataset(store: Store): Promise<Dataset | undefined> {
  const [rows, last] = (await queryRows<[string, number]>(store, `SELECT count(), toUnixTimestamp(max(time)) FROM ${store.db}.samples`, {}))[0] ?? ["0", 0];
  if (Number(rows) === 0) return undefined;
  const endMs = Math.ceil((last * 1000 + 1) / 3_600_000) * 3_600_000;
  return { rows: Number(rows), startMs: endMs - 24 * 3_600_000, endMs, generateMs: 0 };
}
