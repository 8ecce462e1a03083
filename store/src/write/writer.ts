/**
 * The write path: batches of profiles into ClickHouse, each sample counted exactly once.
 *
 * Per write (one collector flush), RowBinary INSERTs in this order: frames and stacks (new ids
 * only, so a sample never points at a missing stack), `samples_ingest` with the raw rows
 * (expanded into `samples` by a view), `samples_ingest` again with the rollup sums the encoder
 * computed (spread into `samples_1m` and `samples_1h` by views), and the batch ledger.
 * Raw rows and rollups are two statements on purpose: views of one insert commit their parts in
 * an order ClickHouse does not fix, and a kill between a rollup part and the raw part would
 * let the retry count that rollup twice. In two statements the raw part always lands first: a
 * kill in between leaves the rollups of that write short (never doubled); raw stays exact.
 *
 * Why a batch is never counted twice:
 * 1. Every sample row carries the hash of its batch id (`samples.batch`). One write is one
 *    block (parallel parsing off, block limits above the flush size), and ClickHouse writes a
 *    block as one part per partition, each part atomically. So for a batch and a window start,
 *    the rows are in ClickHouse entirely or not at all.
 * 2. The batch ledger is written ahead: `state` 0 for every batch of the write before any other
 *    table is touched, `state` 1 after the rollups are in.
 * 3. Before writing, every batch is looked up in the ledger: complete → skipped (a redelivery
 *    after a lost ack, or the same batch published again under another message id).
 * 4. A batch that may have been partly written — started in the ledger (by this or another
 *    process, under any message id), redelivered, or retried after a failed attempt — is looked
 *    up in `samples` by (service, version, window) — the primary key — and batch hash;
 *    profiles whose rows are there are skipped. A batch with no ledger row was never written.
 * Insert deduplication tokens (derived from exactly what a write contains) additionally make an
 * identical retry a no-op for ClickHouse.
 */
import type { ClickHouseClient } from "@clickhouse/client";
import {
  frames as framesTable,
  ingestedBatches,
  processWindows,
  processWindows1h,
  samplesIngest,
  stacks as stacksTable,
  type TableSpec,
} from "../schema/tables.js";
import { encodeCoverage } from "./coverage.js";
import { encodeProfile, finishEncoded, newEncoded, windowSeconds, type Dictionaries, type Encoded } from "./encode.js";
import { hashString, u64String } from "./hash.js";
import type { BinaryInsert, InsertSettings } from "./insert.js";
import { RowBinaryWriter } from "./rowbinary.js";
import { SeenSet } from "./seen-set.js";
import type { BatchInput, WriteOptions, WriteResult } from "./types.js";

export interface WriterOptions {
  client: ClickHouseClient;
  /** How RowBinary reaches ClickHouse (a file for embedded chDB, the request body over HTTP). */
  insert: BinaryInsert;
  /** Quoted database name. */
  db: string;
  /** Cluster mode: inserts go through Distributed tables synchronously. */
  cluster: boolean;
  /** Called before each insert; throw to simulate a failing ClickHouse (tests). */
  beforeInsert?: (table: string) => void;
  /** How long dictionary ids are remembered before being written again (refreshes `last_seen`). */
  dictionaryRefreshMs?: number;
}

const h2 = new Uint32Array(2);

/** A batch id's 64-bit hash: decimal (for lookups) and halves (for RowBinary). */
function batchHash(id: string): { h: string; hl: readonly [number, number] } {
  hashString(id, h2, 0);
  const hi = h2[0] as number;
  const lo = h2[1] as number;
  return { h: u64String(hi, lo), hl: [hi, lo] };
}

export class IngestWriter {
  readonly #o: WriterOptions;
  readonly #frames = new SeenSet(1 << 20, 1 << 14);
  readonly #stacks = new SeenSet(1 << 21, 1 << 14);
  #seenSince = Date.now();
  /**
   * Bumped when a write is split after ClickHouse refused it: the ids its encoding marked as
   * written may never be, so every write encoded before is encoded again at commit, with all
   * its dictionary rows.
   */
  #epoch = 0;

  constructor(o: WriterOptions) {
    this.#o = o;
  }

  async #query<T>(query: string, params: Record<string, unknown>): Promise<T[]> {
    const rs = await this.#o.client.query({ query, query_params: params, format: "JSONEachRow" });
    return rs.json<T>();
  }

  /** Ledger state of batch hashes (decimal): 1 complete, 0 started (maybe partly written); absent: never written. */
  async #ledger(hashes: string[]): Promise<Map<string, number>> {
    if (hashes.length === 0) return new Map();
    const rows = await this.#query<{ batch: string; state: number }>(
      `SELECT toString(batch) AS batch, max(state) AS state FROM ${this.#o.db}.ingested_batches WHERE batch IN {b:Array(UInt64)} GROUP BY batch`,
      { b: hashes.map((h) => BigInt(h)) },
    );
    return new Map(rows.map((r) => [r.batch, Number(r.state)]));
  }

  /** (batch hash, window second) pairs of uncertain batches whose rows are in `samples`. */
  async #present(batches: readonly BatchInput[], hashes: string[]): Promise<Set<string>> {
    if (batches.length === 0) return new Set();
    const services = new Set<string>();
    const versions = new Set<string>();
    let t0 = Infinity;
    let t1 = -Infinity;
    for (const b of batches) {
      for (const p of b.profiles) {
        services.add(p.service);
        versions.add(p.version);
        const t = windowSeconds(p);
        t0 = Math.min(t0, t);
        t1 = Math.max(t1, t);
      }
    }
    if (services.size === 0) return new Set();
    const rows = await this.#query<{ k: string }>(
      `SELECT DISTINCT concat(toString(batch), '/', toString(toUnixTimestamp(time))) AS k FROM ${this.#o.db}.samples
       WHERE service IN {s:Array(String)} AND version IN {v:Array(String)}
         AND time >= toDateTime({t0:UInt32}) AND time <= toDateTime({t1:UInt32}) AND batch IN {b:Array(UInt64)}`,
      { s: [...services], v: [...versions], t0, t1, b: hashes.map((h) => BigInt(h)) },
    );
    return new Set(rows.map((r) => r.k));
  }

  /**
   * Starts a write: batches are encoded into it as they arrive (CPU only, no I/O), so a write is
   * ready the moment it is due, and encoding overlaps the previous write's commit.
   */
  begin(): WriteBuilder {
    if (Date.now() - this.#seenSince > (this.#o.dictionaryRefreshMs ?? 3_600_000)) {
      this.#frames.clear();
      this.#stacks.clear();
      this.#seenSince = Date.now();
    }
    return new WriteBuilder(this.#frames, this.#stacks, this.#epoch);
  }

  /** A whole write at once (see {@link begin}). Every batch is encoded; what the ledger says at commit time may drop some again. */
  prepare(batches: readonly BatchInput[]): PreparedWrite {
    const w = this.begin();
    for (const b of batches) w.add(b);
    return w.finish();
  }

  /**
   * Encodes a write again without the batches found in the ledger and the profiles found stored.
   * Every dictionary row of what remains is written again: an interrupted write may have left
   * them out, and the shared sets already count them as written.
   */
  #reencode(w: PreparedWrite): void {
    const dict: Dictionaries = { frames: new SeenSet(1 << 21, 1 << 12), stacks: new SeenSet(1 << 21, 1 << 12) };
    const enc = newEncoded(w.enc.rows);
    for (const item of w.items) {
      if (w.skip.has(item.h)) continue;
      encodeBatch(item, w.now, dict, enc, w.present);
    }
    finishEncoded(enc);
    w.enc = enc;
    w.epoch = this.#epoch;
  }

  /** Gives up a write (its batches are dead-lettered): what it marked as written is forgotten, as in {@link split}. */
  abandon(_w: PreparedWrite): void {
    this.#forgetMarks();
  }

  #forgetMarks(): void {
    this.#epoch++;
    this.#frames.clear();
    this.#stacks.clear();
    this.#seenSince = Date.now();
  }

  /** Batch ids of a write, in order. */
  batchIds(w: PreparedWrite): string[] {
    return w.items.map((i) => i.b.batchId);
  }

  /**
   * Splits a write ClickHouse refused into two halves by batch, each to be committed on its own
   * (one after the other, before any later write) to isolate the batch at fault. Each half
   * writes all its dictionary rows; the write's own marks in the shared sets are dropped, so
   * writes encoded meanwhile are encoded again at commit with all theirs (a dictionary row
   * only the refused batch carried is then not missing from a later write that needs it).
   */
  split(w: PreparedWrite): PreparedWrite[] {
    this.#forgetMarks();
    if (w.items.length < 2) return [w];
    const mid = Math.ceil(w.items.length / 2);
    return [w.items.slice(0, mid), w.items.slice(mid)].map((items, k) => {
      const half: PreparedWrite = { items, inBatch: k === 0 ? w.inBatch : 0, enc: newEncoded(), skip: new Set(), now: w.now, epoch: -1 };
      this.#reencode(half);
      return half;
    });
  }

  /** Runs the inserts of a prepared write; see the file comment for the order and the checks. */
  async commit(w: PreparedWrite, options: WriteOptions = {}): Promise<WriteResult> {
    const result: WriteResult = { duplicateBatches: w.inBatch, recoveredProfiles: 0, rows: 0, samples: 0, frames: 0, stacks: 0, insertMs: 0 };
    if (w.items.length === 0) return result;
    const started = performance.now();
    const ledger = await this.#ledger(w.items.map((i) => i.h));
    const done = new Set([...ledger].filter(([, state]) => state === 1).map(([h]) => h));
    // started before (by any process, under any message id) or retried here: look its rows up
    const uncertain = w.items.filter((t) => !done.has(t.h) && (ledger.get(t.h) === 0 || options.uncertain?.has(t.b.batchId) === true));
    const present = await this.#present(
      uncertain.map((t) => t.b),
      uncertain.map((t) => t.h),
    );
    if (done.size > 0 || present.size > 0 || w.skip.size > 0 || (w.present?.size ?? 0) > 0 || w.epoch !== this.#epoch) {
      w.skip = done;
      w.present = present;
      this.#reencode(w);
    }
    const todo = w.items.filter((i) => !w.skip.has(i.h));
    result.duplicateBatches += w.items.length - todo.length;
    // The token names exactly what this write contains: batch hashes and profiles left out.
    const parts: string[] = [];
    for (const { b, h } of todo) {
      let stored = 0;
      for (const p of b.profiles) if (present.has(`${h}/${windowSeconds(p)}`)) stored++;
      result.recoveredProfiles += stored;
      parts.push(stored === 0 ? h : `${h}-${String(stored)}`);
    }
    parts.sort();
    hashString(parts.join(","), h2, 0);
    const token = `fp-${(h2[0] as number).toString(16)}${(h2[1] as number).toString(16)}-${String(parts.length)}`;
    const { db } = this.#o;
    const base: InsertSettings = this.#o.cluster ? { insert_distributed_sync: 1 } : {};
    const ins = async (spec: TableSpec, out: RowBinaryWriter, settings: InsertSettings): Promise<void> => {
      if (out.pos === 0) return;
      this.#o.beforeInsert?.(spec.name);
      await this.#o.insert(`${db}.${spec.name}`, spec, out.bytes(), { ...base, ...settings });
    };
    const enc = w.enc;
    const ledgerRows = (state: number): RowBinaryWriter => {
      const out = new RowBinaryWriter(1024);
      for (const { b, hl } of todo) {
        out.u64(hl[0], hl[1]);
        out.string(b.batchId);
        out.u32(w.now);
        out.u8(state);
      }
      return out;
    };
    // written ahead: from here on these batches may be partly in, and every later attempt knows it
    await ins(ingestedBatches, ledgerRows(0), { insert_deduplication_token: `${token}-p` });
    await ins(framesTable, enc.frames, { insert_deduplication_token: `${token}-f` });
    await ins(stacksTable, enc.stacks, { insert_deduplication_token: `${token}-s` });
    const block = { ...ONE_BLOCK, max_partitions_per_insert_block: partitionsBound(todo) };
    await ins(samplesIngest, enc.ingest, { insert_deduplication_token: `${token}-i`, ...block });
    await ins(samplesIngest, enc.rollupIngest, { insert_deduplication_token: `${token}-r`, ...block });
    await ins(processWindows, enc.coverage, {
      insert_deduplication_token: `${token}-w`,
      max_partitions_per_insert_block: block.max_partitions_per_insert_block,
    });
    await ins(processWindows1h, enc.coverageRollup, {
      insert_deduplication_token: `${token}-h`,
      max_partitions_per_insert_block: block.max_partitions_per_insert_block,
    });
    await ins(ingestedBatches, ledgerRows(1), { insert_deduplication_token: `${token}-l` });
    result.insertMs = performance.now() - started;
    result.rows = enc.rows;
    result.samples = enc.samples;
    result.frames = enc.frameRows;
    result.stacks = enc.stackRows;
    return result;
  }

  async write(batches: readonly BatchInput[], options: WriteOptions = {}): Promise<WriteResult> {
    return this.commit(this.prepare(batches), options);
  }
}

/**
 * An upper bound of the daily partitions a write's samples fall in (in any server time zone), at
 * least ClickHouse's default limit: one block spanning many days (a backlog, windows on both
 * sides of midnight) is legitimate, and the collector bounds how old or new a window may be.
 */
function partitionsBound(items: readonly Item[]): number {
  let first = Infinity;
  let last = -Infinity;
  for (const { b } of items) {
    for (const p of b.profiles) {
      const day = Math.floor(windowSeconds(p) / 86_400);
      if (day < first) first = day;
      if (day > last) last = day;
    }
  }
  return last < first ? 100 : Math.max(100, last - first + 3);
}

interface Item {
  b: BatchInput;
  /** Batch id hash, decimal and as (hi, lo). */
  h: string;
  hl: readonly [number, number];
}

function encodeBatch(item: Item, now: number, dict: Dictionaries, enc: Encoded, present: ReadonlySet<string> | undefined): void {
  item.b.profiles.forEach((p, seq) => {
    // A profile already stored by an interrupted write: its dictionary rows may be missing, so repeat those only.
    const stored = present !== undefined && present.has(`${item.h}/${windowSeconds(p)}`);
    encodeProfile(p, item.b.host, item.hl, now, dict, enc, !stored);
    // coverage goes with the sample rows (written after them): never twice
    if (!stored) encodeCoverage(p, item.b.host, item.hl, seq, enc.coverage, enc.coverageHours);
  });
}

/** A write being filled batch by batch (see {@link IngestWriter.begin}). */
export class WriteBuilder {
  readonly #items: Item[] = [];
  readonly #ids = new Set<string>();
  #inBatch = 0;
  readonly #dict: Dictionaries;
  readonly #enc = newEncoded(1 << 14);
  readonly #now = Math.floor(Date.now() / 1000);

  /**
   * `frames`, `stacks`: the writer's sets, marked as soon as a row is encoded, so the next write
   * (encoded while this one commits) does not repeat them. Writes commit in order and a failing
   * one is retried until it lands, so no later write lands without these rows before it.
   */
  readonly #epoch: number;

  constructor(frames: SeenSet, stacks: SeenSet, epoch: number) {
    this.#dict = { frames, stacks };
    this.#epoch = epoch;
  }

  /** Sample rows encoded so far. */
  get rows(): number {
    return this.#enc.rows;
  }

  get batches(): number {
    return this.#items.length;
  }

  add(b: BatchInput): void {
    // The same batch twice in one write (published twice): keep the first.
    if (this.#ids.has(b.batchId)) {
      this.#inBatch++;
      return;
    }
    this.#ids.add(b.batchId);
    const item = { b, ...batchHash(b.batchId) };
    this.#items.push(item);
    encodeBatch(item, this.#now, this.#dict, this.#enc, undefined);
  }

  /** Ends the write (call once). */
  finish(): PreparedWrite {
    finishEncoded(this.#enc);
    return { items: this.#items, inBatch: this.#inBatch, enc: this.#enc, skip: new Set(), now: this.#now, epoch: this.#epoch };
  }
}

/** A write encoded and ready to commit (opaque to callers). */
export interface PreparedWrite {
  items: Item[];
  /** Duplicates dropped within the write itself. */
  inBatch: number;
  enc: Encoded;
  /** Batch hashes found in the ledger (not written). */
  skip: Set<string>;
  /** (batch hash/window second) pairs already in `samples`. */
  present?: Set<string>;
  now: number;
  /** The writer's epoch when it was encoded (see IngestWriter.split). */
  epoch: number;
}

/** Settings that make one write one block: a batch's rows land in one part per partition, or not at all. */
const ONE_BLOCK: InsertSettings = {
  deduplicate_blocks_in_dependent_materialized_views: 1,
  input_format_parallel_parsing: 0,
  max_insert_threads: 1,
  // rollup rows arrive summed; summing again on insert costs ClickHouse more than the whole raw insert
  optimize_on_insert: 0,
  max_insert_block_size: 1_000_000_000,
  max_block_size: 1_000_000_000,
  min_insert_block_size_rows: 1_000_000_000,
  min_insert_block_size_bytes: 100_000_000_000,
  min_insert_block_size_rows_for_materialized_views: 1_000_000_000,
  min_insert_block_size_bytes_for_materialized_views: 100_000_000_000,
};
