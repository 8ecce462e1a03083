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
import { encodeProfile, newEncoded, windowSeconds, type Dictionaries } from "./encode.js";
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
  readonly #frames = new SeenSet(1 << 20);
  readonly #stacks = new SeenSet(1 << 21);
  readonly #pendingFrames = new SeenSet(1 << 18);
  readonly #pendingStacks = new SeenSet(1 << 18);
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

  async write(batches: readonly BatchInput[], options: WriteOptions = {}): Promise<WriteResult> {
    const result: WriteResult = { duplicateBatches: 0, recoveredProfiles: 0, rows: 0, samples: 0, frames: 0, stacks: 0, insertMs: 0 };
    if (batches.length === 0) return result;
    if (Date.now() - this.#seenSince > (this.#o.dictionaryRefreshMs ?? 3_600_000)) {
      this.#frames.clear();
      this.#stacks.clear();
      this.#seenSince = Date.now();
    }
    // The same batch twice in one write (published twice): keep the first.
    const unique = new Map<string, BatchInput>();
    for (const b of batches) if (!unique.has(b.batchId)) unique.set(b.batchId, b);
    result.duplicateBatches += batches.length - unique.size;
    const all = [...unique.values()];
    const hashes = all.map((b) => batchHash(b.batchId));
    const done = await this.#ledgerHits(hashes);
    const todo: { b: BatchInput; h: string }[] = [];
    all.forEach((b, i) => {
      const h = hashes[i] as string;
      if (done.has(h)) result.duplicateBatches++;
      else todo.push({ b, h });
    });
    const uncertain = todo.filter((t) => options.uncertain?.has(t.b.batchId) === true);
    const present = await this.#present(
      uncertain.map((t) => t.b),
      uncertain.map((t) => t.h),
    );

    const dict: Dictionaries = { frames: this.#frames, stacks: this.#stacks, pendingFrames: this.#pendingFrames, pendingStacks: this.#pendingStacks };
    this.#pendingFrames.clear();
    this.#pendingStacks.clear();
    const enc = newEncoded();
    const now = Math.floor(Date.now() / 1000);
    // What this write contains, for the deduplication token: batch hashes and skipped profiles.
    const parts: string[] = [];
    for (const { b, h } of todo) {
      let skipped = 0;
      for (let i = 0; i < b.profiles.length; i++) {
        const p = b.profiles[i] as (typeof b.profiles)[number];
        if (present.size > 0 && present.has(`${h}/${windowSeconds(p)}`)) {
          skipped++;
          result.recoveredProfiles++;
          // its dictionary rows may be missing if the earlier write died in between: cheap to repeat
          encodeProfile(p, b.host, h, now, dict, { ...newEncoded(), frames: enc.frames, stacks: enc.stacks, newFrames: enc.newFrames, newStacks: enc.newStacks });
          continue;
        }
        encodeProfile(p, b.host, h, now, dict, enc);
      }
      parts.push(skipped === 0 ? h : `${h}-${String(skipped)}`);
    }
    parts.sort();
    hashString(parts.join(","), h2, 0);
    const token = `fp-${(h2[0] as number).toString(16)}${(h2[1] as number).toString(16)}-${String(parts.length)}`;
    const { db } = this.#o;
    const base: InsertSettings = this.#o.cluster ? { insert_distributed_sync: 1 } : {};
    const started = performance.now();
    const ins = async (table: string, lines: string[], settings: InsertSettings): Promise<void> => {
      if (lines.length === 0) return;
      this.#o.beforeInsert?.(table);
      await insertText(this.#o.client, `${db}.${table}`, lines, { ...base, ...settings });
    };
    await ins("frames", enc.frames, { insert_deduplication_token: `${token}-f` });
    await ins("stacks", enc.stacks, { insert_deduplication_token: `${token}-s` });
    await ins("samples_ingest", enc.ingest, {
      insert_deduplication_token: `${token}-i`,
      deduplicate_blocks_in_dependent_materialized_views: 1,
      // one block per write: rows of a batch land in one part per partition, or not at all
      input_format_parallel_parsing: 0,
      max_insert_block_size: 1_000_000_000,
      max_block_size: 1_000_000_000,
      min_insert_block_size_rows: 1_000_000_000,
      min_insert_block_size_bytes: 100_000_000_000,
      min_insert_block_size_rows_for_materialized_views: 1_000_000_000,
      min_insert_block_size_bytes_for_materialized_views: 100_000_000_000,
    });
    await ins(
      "ingested_batches",
      todo.map(({ b, h }) => `[${h},${JSON.stringify(b.batchId)},${now}]`),
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
}
