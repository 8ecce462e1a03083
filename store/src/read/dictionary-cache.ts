/**
 * A process-wide cache of the frame and stack dictionaries. Both are content-addressed (a
 * frame id is the hash of function, file and line; a stack id the hash of its frame ids), so an
 * entry never changes and caching it is always correct. With a warm cache a flame graph costs
 * the bare aggregation plus the tree: the dictionary lookups are only for stacks and frames
 * not seen before. Bounded; the oldest entries go first.
 */
import type { ClickHouseClient } from "@clickhouse/client";
import type { FrameInfo } from "./profile.js";

/** Entries kept per dictionary (about 100–300 bytes each). */
export const DEFAULT_CACHE_ENTRIES = 500_000;

/** A Map with a size bound that drops its oldest entries. */
export class Bounded<K, V> {
  readonly #map = new Map<K, V>();
  constructor(readonly max: number) {}
  get(k: K): V | undefined {
    return this.#map.get(k);
  }
  set(k: K, v: V): void {
    if (this.#map.size >= this.max) {
      // Map iterates in insertion order: drop the oldest tenth.
      let drop = Math.max(1, Math.floor(this.max / 10));
      for (const key of this.#map.keys()) {
        this.#map.delete(key);
        if (--drop === 0) break;
      }
    }
    this.#map.set(k, v);
  }
  get size(): number {
    return this.#map.size;
  }
}

export class DictionaryCache {
  /** Stack id (decimal) → frame keys (ids masked to 53 bits), root first. */
  readonly stacks: Bounded<string, number[]>;
  /** Frame key → frame. */
  readonly frames: Bounded<number, FrameInfo>;
  constructor(entries = DEFAULT_CACHE_ENTRIES) {
    this.stacks = new Bounded(entries);
    this.frames = new Bounded(entries);
  }
}

const caches = new WeakMap<ClickHouseClient, DictionaryCache>();

/** The cache of one ClickHouse connection (one per store). */
export function dictionaryCache(client: ClickHouseClient): DictionaryCache {
  let c = caches.get(client);
  if (c === undefined) {
    c = new DictionaryCache();
    caches.set(client, c);
  }
  return c;
}

/** Forgets the cache of one connection (tests; a schema reset). */
export function clearDictionaryCache(client: ClickHouseClient): void {
  caches.delete(client);
}
