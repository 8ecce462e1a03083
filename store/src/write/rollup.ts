/**
 * Per-minute and per-hour rollups, summed in the collector while it encodes a write.
 *
 * The rollup tables used to be filled by materialized views that ran a GROUP BY over every
 * inserted block; that cost ClickHouse about 60 % of each insert. The collector holds the rows
 * anyway, so it sums them here (a hash table over (thread, stack) per group) and sends the sums
 * to the staging table right after the raw rows (see writer.ts for why two statements); views
 * only spread them into the rollup tables.
 *
 * A group is (bucket, service, version, host, mode, labels): every rollup column but thread and
 * stack. Labels are sorted by name, so the same label set always gets the same `labels_hash`.
 *
 * Captures (profiles with a capture id: ad-hoc, at up to 1 kHz) are not summed: the rollups
 * are fleet aggregates of continuous profiling, and a capture would inflate its minute many
 * times over. A capture stays in `samples`, readable by its capture id.
 */
import type { RowBinaryWriter } from "./rowbinary.js";

/** Row kinds of the staging table (`samples_ingest.kind`). */
export const KIND_RAW = 0;
export const KIND_1M = 1;
export const KIND_1H = 2;

/** Counts per (thread, stack id) in an open-addressing table. */
class StackCounts {
  /** (thread + 1, hi, lo) per slot; thread + 1 = 0 marks an empty slot. */
  keys: Uint32Array;
  counts: Float64Array;
  size = 0;
  #mask: number;

  constructor(slots = 256) {
    this.keys = new Uint32Array(slots * 3);
    this.counts = new Float64Array(slots);
    this.#mask = slots - 1;
  }

  add(thread: number, hi: number, lo: number, count: number): void {
    if ((this.size + 1) * 10 > (this.#mask + 1) * 7) this.#grow();
    const keys = this.keys;
    const t = thread + 1;
    let i = (lo ^ Math.imul(hi, 0x9e3779b1) ^ Math.imul(t, 0x85ebca6b)) & this.#mask;
    for (;;) {
      const k = i * 3;
      const kt = keys[k] as number;
      if (kt === 0) {
        keys[k] = t;
        keys[k + 1] = hi;
        keys[k + 2] = lo;
        this.counts[i] = count;
        this.size++;
        return;
      }
      if (kt === t && keys[k + 1] === hi && keys[k + 2] === lo) {
        this.counts[i] = (this.counts[i] as number) + count;
        return;
      }
      i = (i + 1) & this.#mask;
    }
  }

  #grow(): void {
    const keys = this.keys;
    const counts = this.counts;
    const slots = (this.#mask + 1) * 2;
    this.keys = new Uint32Array(slots * 3);
    this.counts = new Float64Array(slots);
    this.#mask = slots - 1;
    this.size = 0;
    for (let i = 0; i < counts.length; i++) {
      const t = keys[i * 3] as number;
      if (t !== 0) this.add(t - 1, keys[i * 3 + 1] as number, keys[i * 3 + 2] as number, counts[i] as number);
    }
  }
}

class Group {
  readonly threads: string[] = [];
  readonly #threadIndex = new Map<string, number>();
  readonly stacks = new StackCounts();

  constructor(
    readonly time: number,
    readonly service: string,
    readonly version: string,
    readonly host: string,
    readonly mode: string,
    readonly labels: readonly (readonly [string, string])[],
  ) {}

  /** Index of a thread name in this group. */
  thread(name: string): number {
    let t = this.#threadIndex.get(name);
    if (t === undefined) {
      t = this.threads.length;
      this.threads.push(name);
      this.#threadIndex.set(name, t);
    }
    return t;
  }
}

export interface RollupProfile {
  /** Window start, seconds. */
  time: number;
  service: string;
  version: string;
  host: string;
  mode: string;
  labels: Readonly<Record<string, string>>;
  /** Set for a capture, whose rows are then left out. */
  captureId?: string;
}

/** Sums a write's sample rows per minute; per hour is summed from the minutes at the end. */
export class RollupBuilder {
  readonly #minutes = new Map<string, Group>();
  #group: Group | undefined;
  #threads: number[] = [];

  /** Starts a profile: the rows that follow are added to its minute group (none for a capture). */
  profile(p: RollupProfile): void {
    this.#threads = [];
    if (p.captureId !== undefined && p.captureId !== "") {
      this.#group = undefined;
      return;
    }
    const labels = Object.entries(p.labels).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const time = p.time - (p.time % 60);
    const key = JSON.stringify([time, p.service, p.version, p.host, p.mode, labels]);
    let g = this.#minutes.get(key);
    if (g === undefined) {
      g = new Group(time, p.service, p.version, p.host, p.mode, labels);
      this.#minutes.set(key, g);
    }
    this.#group = g;
  }

  /** The group's index of the profile's `i`-th thread (in the order the profile first names them). */
  thread(i: number, name: string): number {
    let t = this.#threads[i];
    if (t === undefined) {
      t = this.#group?.thread(name) ?? 0;
      this.#threads[i] = t;
    }
    return t;
  }

  add(thread: number, hi: number, lo: number, count: number): void {
    this.#group?.stacks.add(thread, hi, lo, count);
  }

  /** Writes the per-minute and per-hour staging rows. */
  write(out: RowBinaryWriter): { minuteRows: number; hourRows: number } {
    const hours = new Map<string, Group>();
    let minuteRows = 0;
    let hourRows = 0;
    for (const g of this.#minutes.values()) {
      minuteRows += g.stacks.size;
      writeGroup(out, KIND_1M, g);
      const time = g.time - (g.time % 3600);
      const key = JSON.stringify([time, g.service, g.version, g.host, g.mode, g.labels]);
      let found = hours.get(key);
      if (found === undefined) {
        found = new Group(time, g.service, g.version, g.host, g.mode, g.labels);
        hours.set(key, found);
      }
      const h = found;
      const map = g.threads.map((name) => h.thread(name));
      const { keys, counts } = g.stacks;
      for (let i = 0; i < counts.length; i++) {
        const t = keys[i * 3] as number;
        if (t !== 0) h.stacks.add(map[t - 1] as number, keys[i * 3 + 1] as number, keys[i * 3 + 2] as number, counts[i] as number);
      }
    }
    for (const h of hours.values()) {
      hourRows += h.stacks.size;
      writeGroup(out, KIND_1H, h);
    }
    return { minuteRows, hourRows };
  }
}

/** One staging row (see `samplesIngest` in schema/tables.ts for the column order). */
function writeGroup(out: RowBinaryWriter, kind: number, g: Group): void {
  out.u8(kind);
  out.u32(g.time);
  out.string(g.service);
  out.string(g.version);
  out.string(g.host);
  out.u32(0); // pid
  out.string(g.mode);
  out.varint(g.labels.length);
  for (const [k, v] of g.labels) {
    out.string(k);
    out.string(v);
  }
  out.string(""); // capture_id
  out.u64(0, 0); // batch
  const { keys, counts, size } = g.stacks;
  const slots = counts.length;
  out.varint(size);
  out.reserve(size * 4);
  let at = out.pos;
  for (let i = 0; i < slots; i++) {
    const t = keys[i * 3] as number;
    if (t === 0) continue;
    out.setU32(at, t); // 1-based into threads
    at += 4;
  }
  out.pos = at;
  out.varint(size);
  out.reserve(size * 8);
  at = out.pos;
  for (let i = 0; i < slots; i++) {
    if (keys[i * 3] === 0) continue;
    out.setU64(at, keys[i * 3 + 1] as number, keys[i * 3 + 2] as number);
    at += 8;
  }
  out.pos = at;
  out.varint(size);
  for (let i = 0; i < slots; i++) if (keys[i * 3] !== 0) out.u64n(counts[i] as number);
  out.varint(g.threads.length);
  for (const t of g.threads) out.string(t);
}
