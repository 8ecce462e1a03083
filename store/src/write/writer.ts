/**
 * The write path: batches of profiles into ClickHouse, each sample counted exactly once.
 *
 * Per write (one collector flush): one INSERT per table — frames and stacks (new ids only),
 * `samples_ingest` (expanded into `samples` and, by views, the rollups), and the batch
 * ledger — in that order, so a sample never points at a missing stack.
 *
 * Why a batch is never counted twice:
 * 1. Every sample row carries the hash of its batch id (`samples.batch`). One write is one
 *    block (parallel parsing off, block limits above the flush size), and ClickHouse writes a
 *    block as one part per partition, each part atomically. So for a batch and a window start,
 *    the rows are in ClickHouse entirely or not at all.
 * 2. After the samples insert succeeds, the batch ids go to `ingested_batches`.
 * 3. Before writing, every batch is looked up in the ledger: found → skipped (a redelivery
 *    after a lost ack, or the same batch published again).
 * 4. A batch that may have been partly written (redelivered, or the previous attempt failed)
 *    but is not in the ledger is looked up in `samples` by (service, version, window) — the
 *    primary key — and batch hash; profiles whose rows are there are skipped.
 * Insert deduplication tokens (derived from exactly what a write contains) additionally make an
 * identical retry a no-op for ClickHouse.
 */
import type { ClickHouseClient } from "@clickhouse/client";
import { encodeProfile, newEncoded, windowSeconds, type Dictionaries, type Encoded } from "./encode.js";
import { hashString, u64String } from "./hash.js";
import { insertText, type InsertSettings } from "./insert.js";
import { SeenSet } from "./seen-set.js";
import type { BatchInput, WriteOptions, WriteResult } from "./types.js";


export interface WriterOptions {
  client: ClickHouseClient;
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

function batchHash(id: string): string {
  hashString(id, h2, 0);
  return u64String(h2[0] as number, h2[1] as number);
}

export class IngestWriter {
  readonly #o: WriterOptions;
  readonly #frames = new SeenSet(1 << 20, 1 << 14);
  readonly #stacks = new SeenSet(1 << 21, 1 << 14);
  #seenSince = Date.now();

  constructor(o: WriterOptions) {
    this.#o = o;
  }

  async #query<T>(query: string, params: Record<string, unknown>): Promise<T[]> {
    const rs = await this.#o.client.query({ query, query_params: params, format: "JSONEachRow" });
    return rs.json<T>();
  }

  /** Batch hashes (decimal) already in the ledger. */
  async #ledgerHits(hashes: string[]): Promise<Set<string>> {
    if (hashes.length === 0) return new Set();
    const rows = await this.#query<{ batch: string }>(
      `SELECT DISTINCT toString(batch) AS batch FROM ${this.#o.db}.ingested_batches WHERE batch IN {b:Array(UInt64)}`,
      { b: hashes.map((h) => BigInt(h)) },
    );
    return new Set(rows.map((r) => r.batch));
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
   * Encodes a write (CPU only, no I/O): may run while the previous write is still committing.
   * Every batch is encoded; what the ledger says at commit time may drop some again.
   */
  prepare(batches: readonly BatchInput[]): PreparedWrite {
    if (Date.now() - this.#seenSince > (this.#o.dictionaryRefreshMs ?? 3_600_000)) {
      this.#frames.clear();
      this.#stacks.clear();
      this.#seenSince = Date.now();
    }
    // The same batch twice in one write (published twice): keep the first.
    const unique = new Map<string, BatchInput>();
    for (const b of batches) if (!unique.has(b.batchId)) unique.set(b.batchId, b);
    const items = [...unique.values()].map((b) => ({ b, h: batchHash(b.batchId) }));
    const prepared: PreparedWrite = { items, inBatch: batches.length - unique.size, enc: newEncoded(), skip: new Set(), now: Math.floor(Date.now() / 1000) };
    this.#encode(prepared);
    return prepared;
  }

  #encode(w: PreparedWrite): void {
    let stacks = 0;
    for (const { b } of w.items) for (const p of b.profiles) stacks += p.stacks.length;
    const dict: Dictionaries = {
      frames: this.#frames,
      stacks: this.#stacks,
      pendingFrames: new SeenSet(Math.max(1024, stacks * 2), 1024),
      pendingStacks: new SeenSet(Math.max(1024, stacks), 1024),
    };
    const enc = newEncoded();
    const dictOnly = { ...newEncoded(), frames: enc.frames, stacks: enc.stacks, newFrames: enc.newFrames, newStacks: enc.newStacks };
    for (const { b, h } of w.items) {
      if (w.skip.has(h)) continue;
      for (const p of b.profiles) {
        // A profile already stored by an interrupted write: its dictionary rows may be missing, so repeat those only.
        const stored = w.present !== undefined && w.present.has(`${h}/${windowSeconds(p)}`);
        encodeProfile(p, b.host, h, w.now, dict, stored ? dictOnly : enc);
      }
    }
    w.enc = enc;
  }

  /** Runs the inserts of a prepared write; see the file comment for the order and the checks. */
  async commit(w: PreparedWrite, options: WriteOptions = {}): Promise<WriteResult> {
    const result: WriteResult = { duplicateBatches: w.inBatch, recoveredProfiles: 0, rows: 0, samples: 0, frames: 0, stacks: 0, insertMs: 0 };
    if (w.items.length === 0) return result;
    const started = performance.now();
    const done = await this.#ledgerHits(w.items.map((i) => i.h));
    const uncertain = w.items.filter((t) => !done.has(t.h) && options.uncertain?.has(t.b.batchId) === true);
    const present = await this.#present(
      uncertain.map((t) => t.b),
      uncertain.map((t) => t.h),
    );
    if (done.size > 0 || present.size > 0 || w.skip.size > 0 || (w.present?.size ?? 0) > 0) {
      w.skip = done;
      w.present = present;
      this.#encode(w);
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
    const ins = async (table: string, lines: string[], settings: InsertSettings): Promise<void> => {
      if (lines.length === 0) return;
      this.#o.beforeInsert?.(table);
      await insertText(this.#o.client, `${db}.${table}`, lines, { ...base, ...settings });
    };
    const enc = w.enc;
    await ins("frames", enc.frames, { insert_deduplication_token: `${token}-f` });
    await ins("stacks", enc.stacks, { insert_deduplication_token: `${token}-s` });
    await ins("samples_ingest", enc.ingest, { insert_deduplication_token: `${token}-i`, ...ONE_BLOCK });
    await ins(
      "ingested_batches",
      todo.map(({ b, h }) => `[${h},${JSON.stringify(b.batchId)},${w.now}]`),
      { insert_deduplication_token: `${token}-l` },
    );
    result.insertMs = performance.now() - started;
    for (let i = 0; i < enc.newFrames.length; i += 2) this.#frames.add(enc.newFrames[i] as number, enc.newFrames[i + 1] as number);
    for (let i = 0; i < enc.newStacks.length; i += 2) this.#stacks.add(enc.newStacks[i] as number, enc.newStacks[i + 1] as number);
    result.rows = enc.rows;
    result.samples = enc.samples;
    result.frames = enc.frames.length;
    result.stacks = enc.stacks.length;
    return result;
  }

  async write(batches: readonly BatchInput[], options: WriteOptions = {}): Promise<WriteResult> {
    return this.commit(this.prepare(batches), options);
  }
}

/** A write encoded and ready to commit (opaque to callers). */
export interface PreparedWrite {
  items: { b: BatchInput; h: string }[];
  /** Duplicates dropped within the write itself. */
  inBatch: number;
  enc: Encoded;
  /** Batch hashes found in the ledger (not written). */
  skip: Set<string>;
  /** (batch hash/window second) pairs already in `samples`. */
  present?: Set<string>;
  now: number;
}

/** Settings that make one write one block: a batch's rows land in one part per partition, or not at all. */
const ONE_BLOCK: InsertSettings = {
  deduplicate_blocks_in_dependent_materialized_views: 1,
  input_format_parallel_parsing: 0,
  max_insert_block_size: 1_000_000_000,
  max_block_size: 1_000_000_000,
  min_insert_block_size_rows: 1_000_000_000,
  min_insert_block_size_bytes: 100_000_000_000,
  min_insert_block_size_rows_for_materialized_views: 1_000_000_000,
  min_insert_block_size_bytes_for_materialized_views: 100_000_000_000,
};
