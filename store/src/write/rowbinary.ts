/**
 * A growable buffer that writes ClickHouse's RowBinary encoding: little-endian fixed-width
 * integers, LEB128 lengths, strings as length + UTF-8 bytes. Parsing RowBinary costs ClickHouse
 * about a fifteenth of parsing the same rows as JSON, and writing it costs JavaScript no
 * number-to-decimal conversion.
 */
export class RowBinaryWriter {
  #buf: Buffer;
  #view: DataView;
  pos = 0;

  constructor(initialBytes = 1 << 16) {
    this.#buf = Buffer.allocUnsafe(initialBytes);
    this.#view = new DataView(this.#buf.buffer, this.#buf.byteOffset, this.#buf.byteLength);
  }

  /** Makes room for `n` more bytes. */
  reserve(n: number): void {
    if (this.pos + n <= this.#buf.length) return;
    let size = this.#buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.#buf.copy(next, 0, 0, this.pos);
    this.#buf = next;
    this.#view = new DataView(next.buffer, next.byteOffset, next.byteLength);
  }

  u8(v: number): void {
    this.reserve(1);
    this.#buf[this.pos++] = v;
  }

  u16(v: number): void {
    this.reserve(2);
    this.#view.setUint16(this.pos, v, true);
    this.pos += 2;
  }

  u32(v: number): void {
    this.reserve(4);
    this.#view.setUint32(this.pos, v, true);
    this.pos += 4;
  }

  /** UInt64 from its two 32-bit halves. */
  u64(hi: number, lo: number): void {
    this.reserve(8);
    this.#view.setUint32(this.pos, lo, true);
    this.#view.setUint32(this.pos + 4, hi, true);
    this.pos += 8;
  }

  /** UInt64 from a non-negative safe integer. */
  u64n(v: number): void {
    this.u64(Math.floor(v / 4294967296), v >>> 0);
  }

  /** LEB128: array lengths, map sizes, string lengths. */
  varint(v: number): void {
    this.reserve(10);
    while (v >= 0x80) {
      this.#buf[this.pos++] = (v & 0x7f) | 0x80;
      v = Math.floor(v / 128);
    }
    this.#buf[this.pos++] = v;
  }

  string(s: string): void {
    const n = Buffer.byteLength(s, "utf8");
    this.varint(n);
    this.reserve(n);
    this.pos += this.#buf.write(s, this.pos, n, "utf8");
  }

  /** Writes at a position reserved earlier (see {@link reserve}); the caller advances `pos`. */
  setU32(at: number, v: number): void {
    this.#view.setUint32(at, v, true);
  }

  setU64(at: number, hi: number, lo: number): void {
    this.#view.setUint32(at, lo, true);
    this.#view.setUint32(at + 4, hi, true);
  }

  /** The bytes written so far (a view, valid until the next write). */
  bytes(): Buffer {
    return this.#buf.subarray(0, this.pos);
  }
}
