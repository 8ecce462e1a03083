/**
 * A forward-only JSON scanner over a file, read in chunks within a byte budget: the caller
 * walks the document it expects (objects, keys, arrays, numbers) and skips the rest, so a file
 * of any size is read in one pass with memory bounded by the chunk and the longest string it
 * keeps (strings are cut to a byte limit while they are read).
 */
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { ELLIPSIS_BYTES, utf8Boundary } from "./name-limit.js";

/** The byte budget ran out before the end of the document. */
export class BudgetExhausted extends Error {
  override readonly name = "BudgetExhausted";
}

/** The file is not the JSON the caller expected (or ends early). */
export class JsonShapeError extends Error {
  override readonly name = "JsonShapeError";
}

export interface ScannedString {
  value: string;
  /** True when the string was longer than the limit and `value` is its cut (ending in `…`). */
  truncated: boolean;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const CHUNK_BYTES = 256 * 1024;

export class JsonScanner {
  readonly size: number;
  #fd: number;
  #buf: Buffer;
  #pos = 0;
  #len = 0;
  /** File offset of #buf[0]. */
  #base = 0;
  /** File offset reading stops at. */
  #limit = 0;
  /** Bytes taken from the file so far (over every range). */
  bytesRead = 0;
  /** The string being read: its bytes so far, how many to keep, whether it was longer. */
  #str: Buffer;
  #n = 0;
  #keep = 0;
  #over = false;

  /** Opens `path`; throws ENOENT when there is no such file. `maxStringBytes` bounds kept strings. */
  constructor(path: string, maxStringBytes: number) {
    this.#fd = openSync(path, "r");
    this.size = fstatSync(this.#fd).size;
    this.#buf = Buffer.allocUnsafe(Math.max(1, Math.min(CHUNK_BYTES, this.size)));
    this.#str = Buffer.allocUnsafe(maxStringBytes + 4);
    this.#limit = this.size;
  }

  close(): void {
    closeSync(this.#fd);
  }

  /** Continues at file offset `start` and reads no further than `end`. */
  range(start: number, end: number): void {
    this.#base = start;
    this.#pos = 0;
    this.#len = 0;
    this.#limit = Math.min(end, this.size);
  }

  /** Reads up to `length` bytes at `offset` (outside the scan: the caller's own look-ups). */
  readAt(offset: number, length: number): Buffer {
    const out = Buffer.allocUnsafe(length);
    const n = readSync(this.#fd, out, 0, length, offset);
    this.bytesRead += n;
    return out.subarray(0, n);
  }

  private fill(): boolean {
    this.#base += this.#len;
    this.#pos = 0;
    this.#len = 0;
    const want = Math.min(this.#buf.length, this.#limit - this.#base);
    if (want <= 0) return false;
    this.#len = readSync(this.#fd, this.#buf, 0, want, this.#base);
    this.bytesRead += this.#len;
    return this.#len > 0;
  }

  private endError(): Error {
    return this.#limit < this.size
      ? new BudgetExhausted(`stopped after ${String(this.#limit)} of ${String(this.size)} bytes`)
      : new JsonShapeError("the document ends early");
  }

  /** The next byte, consumed. */
  private next(): number {
    if (this.#pos === this.#len && !this.fill()) throw this.endError();
    return this.#buf[this.#pos++] as number;
  }

  /** The next byte that is not white space, not consumed. */
  peek(): number {
    for (;;) {
      if (this.#pos === this.#len && !this.fill()) throw this.endError();
      const b = this.#buf[this.#pos] as number;
      if (b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09) return b;
      this.#pos++;
    }
  }

  /** Consumes `byte` (after white space) or throws. */
  expect(byte: number): void {
    const b = this.peek();
    if (b !== byte) throw new JsonShapeError(`expected "${String.fromCharCode(byte)}", found "${String.fromCharCode(b)}"`);
    this.#pos++;
  }

  /** Consumes `byte` if it comes next (after white space). */
  accept(byte: number): boolean {
    if (this.peek() !== byte) return false;
    this.#pos++;
    return true;
  }

  /** After an element of an object or array: true if another follows, false at `close`. */
  more(close: number): boolean {
    if (this.accept(0x2c)) return true;
    this.expect(close);
    return false;
  }

  /**
   * An array of non-negative integers, `[1,2,3]`, stored into `ring` at index i % ring.length
   * (so the ring ends up holding the last ring.length of them). Returns how many there were.
   */
  uintList(ring: Uint32Array): number {
    this.expect(0x5b);
    const keep = ring.length;
    let n = 0;
    let slot = 0;
    let value = -1;
    /** White space after a number: the next byte must be a delimiter. */
    let ended = false;
    for (;;) {
      if (this.#pos === this.#len && !this.fill()) throw this.endError();
      const buf = this.#buf;
      const len = this.#len;
      let pos = this.#pos;
      while (pos < len) {
        const b = buf[pos++] as number;
        if (b >= 0x30 && b <= 0x39) {
          if (ended) throw new JsonShapeError("expected a delimiter in a list of numbers");
          value = value < 0 ? b - 0x30 : value * 10 + (b - 0x30);
        } else if (b === 0x2c || b === 0x5d) {
          if (value < 0) {
            // `[]` is the one place a delimiter may come without a number before it.
            if (b === 0x5d && n === 0) {
              this.#pos = pos;
              return 0;
            }
            throw new JsonShapeError("expected a number in a list");
          }
          ring[slot] = value;
          if (++slot === keep) slot = 0;
          n++;
          value = -1;
          ended = false;
          if (b === 0x5d) {
            this.#pos = pos;
            return n;
          }
        } else if (b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09) {
          ended = value >= 0;
        } else {
          throw new JsonShapeError(`unexpected "${String.fromCharCode(b)}" in a list of numbers`);
        }
      }
      this.#pos = pos;
    }
  }

  /** A string, kept up to `maxBytes` of UTF-8 (at most the scanner's string limit). */
  string(maxBytes = this.#str.length - 4): ScannedString {
    this.expect(QUOTE);
    this.#keep = Math.min(maxBytes, this.#str.length - 4);
    this.#n = 0;
    this.#over = false;
    /** A high surrogate from `\uD8xx` waiting for its low half. */
    let high = -1;
    for (;;) {
      let b = this.next();
      if (b === QUOTE) break;
      if (b === BACKSLASH) {
        const e = this.next();
        if (e === 0x75) {
          high = this.unit(high, this.unicodeEscape());
          continue;
        }
        b = ESCAPES[e] ?? e;
      }
      if (high >= 0) this.putCode(0xfffd);
      high = -1;
      if (this.#n < this.#keep) this.#str[this.#n++] = b;
      else this.#over = true;
    }
    if (high >= 0) this.putCode(0xfffd);
    if (!this.#over) return { value: this.#str.toString("utf8", 0, this.#n), truncated: false };
    const cut = utf8Boundary(this.#str, this.#keep - ELLIPSIS_BYTES);
    return { value: `${this.#str.toString("utf8", 0, cut)}…`, truncated: true };
  }

  /** One UTF-16 code unit from a `\u` escape after `high` (-1: none); returns the high surrogate now pending. */
  private unit(high: number, code: number): number {
    if (high >= 0 && code >= 0xdc00 && code <= 0xdfff) {
      this.putCode(0x10000 + ((high - 0xd800) << 10) + (code - 0xdc00));
      return -1;
    }
    if (high >= 0) this.putCode(0xfffd);
    if (code >= 0xd800 && code <= 0xdbff) return code;
    this.putCode(code >= 0xdc00 && code <= 0xdfff ? 0xfffd : code);
    return -1;
  }

  private putCode(code: number): void {
    for (const byte of Buffer.from(String.fromCodePoint(code), "utf8")) {
      if (this.#n < this.#keep) this.#str[this.#n++] = byte;
      else this.#over = true;
    }
  }

  /** The code unit of a `\uXXXX` escape (after the `u`). */
  private unicodeEscape(): number {
    let v = 0;
    for (let i = 0; i < 4; i++) {
      const h = this.next();
      const d = h <= 0x39 ? h - 0x30 : (h | 0x20) - 0x57;
      if (d < 0 || d > 15) throw new JsonShapeError("bad \\u escape");
      v = v * 16 + d;
    }
    return v;
  }

  /** Skips one value of any kind. */
  skip(): void {
    let depth = 0;
    do {
      const b = this.peek();
      if (b === QUOTE) {
        this.skipString();
      } else if (b === 0x7b || b === 0x5b) {
        depth++;
        this.#pos++;
      } else if (b === 0x7d || b === 0x5d) {
        depth--;
        this.#pos++;
      } else if (b === 0x2c || b === 0x3a) {
        this.#pos++;
      } else {
        this.skipScalar();
      }
    } while (depth > 0);
  }

  private skipString(): void {
    this.#pos++;
    for (;;) {
      const b = this.next();
      if (b === QUOTE) return;
      if (b === BACKSLASH) this.next();
    }
  }

  /** A number, true, false or null. */
  private skipScalar(): void {
    const start = this.#pos;
    for (;;) {
      if (this.#pos === this.#len && !this.fill()) return;
      const b = this.#buf[this.#pos] as number;
      const scalar = (b >= 0x30 && b <= 0x39) || (b >= 0x61 && b <= 0x7a) || b === 0x2d || b === 0x2b || b === 0x2e || b === 0x45;
      if (!scalar) {
        if (this.#pos === start) throw new JsonShapeError(`unexpected "${String.fromCharCode(b)}"`);
        return;
      }
      this.#pos++;
    }
  }

  /** A number or null (null as undefined). */
  numberOrNull(): number | undefined {
    const b = this.peek();
    if (b === 0x6e) {
      this.skipScalar();
      return undefined;
    }
    let text = "";
    for (;;) {
      if (this.#pos === this.#len && !this.fill()) break;
      const c = this.#buf[this.#pos] as number;
      if (!((c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2b || c === 0x2e || c === 0x45 || c === 0x65)) break;
      text += String.fromCharCode(c);
      this.#pos++;
    }
    const v = Number(text);
    if (text === "" || !Number.isFinite(v)) throw new JsonShapeError(`expected a number, found "${String.fromCharCode(b)}"`);
    return v;
  }
}

/** The byte each one-letter escape stands for. */
const ESCAPES: Record<number, number> = { 0x6e: 0x0a, 0x72: 0x0d, 0x74: 0x09, 0x62: 0x08, 0x66: 0x0c, 0x22: 0x22, 0x5c: 0x5c, 0x2f: 0x2f };
