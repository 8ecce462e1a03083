/**
 * A profile's string table as it sits in the decoded payload: byte offsets plus each string's
 * hash, computed from the UTF-8 bytes while decoding. A JavaScript string is made only when
 * asked for (thread names, names of frames new to the dictionaries).
 */
// the hash alone (not the package index, which loads the chDB engine): this runs in decode workers
import { hashBytes } from "@fleetprof/store/hash";
import type { StringTable } from "@fleetprof/store";

export class WireStrings implements StringTable {
  readonly length: number;
  readonly hashes: Uint32Array;
  readonly #buf: Buffer;
  readonly #offsets: Uint32Array;
  #cache: (string | undefined)[] | undefined;

  /** `offsets`: start, end of string i at 2i, 2i + 1. */
  constructor(buf: Buffer, offsets: Uint32Array, hashes: Uint32Array) {
    this.#buf = buf;
    this.#offsets = offsets;
    this.hashes = hashes;
    this.length = offsets.length / 2;
  }

  /** What the table is made of (to pass it to another thread and {@link fromParts} there). */
  parts(): { buf: Buffer; offsets: Uint32Array; hashes: Uint32Array } {
    return { buf: this.#buf, offsets: this.#offsets, hashes: this.hashes };
  }

  static fromParts(p: { buf: Uint8Array; offsets: Uint32Array; hashes: Uint32Array }): WireStrings {
    return new WireStrings(Buffer.from(p.buf.buffer, p.buf.byteOffset, p.buf.byteLength), p.offsets, p.hashes);
  }

  get(i: number): string {
    this.#cache ??= new Array<string | undefined>(this.length);
    let s = this.#cache[i];
    if (s === undefined) {
      s = this.#buf.toString("utf8", this.#offsets[i * 2], this.#offsets[i * 2 + 1]);
      this.#cache[i] = s;
    }
    return s;
  }
}

/** Collects a profile's strings while decoding (scratch space reused across profiles). */
export class WireStringsBuilder {
  #offsets = new Uint32Array(2048);
  #hashes = new Uint32Array(2048);
  #n = 0;

  reset(): void {
    this.#n = 0;
  }

  /** Adds `buf[start .. end)` and hashes it; returns true when it is all ASCII (see hashBytes). */
  add(buf: Buffer, start: number, end: number): boolean {
    const at = this.#n * 2;
    if (at + 2 > this.#offsets.length) {
      const o = new Uint32Array(this.#offsets.length * 2);
      o.set(this.#offsets);
      this.#offsets = o;
      const h = new Uint32Array(this.#hashes.length * 2);
      h.set(this.#hashes);
      this.#hashes = h;
    }
    this.#offsets[at] = start;
    this.#offsets[at + 1] = end;
    const ascii = hashBytes(buf, start, end, this.#hashes, at);
    this.#n++;
    return ascii;
  }

  build(buf: Buffer): WireStrings {
    return new WireStrings(buf, this.#offsets.slice(0, this.#n * 2), this.#hashes.slice(0, this.#n * 2));
  }
}
