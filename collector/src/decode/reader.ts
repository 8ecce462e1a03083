/**
 * A minimal protobuf wire reader over one buffer: varints as JavaScript numbers (exact up to
 * 2^53, larger values stay large, so range checks still catch them), length-delimited fields
 * as offsets. Every read is bounds-checked and throws {@link WireError}.
 */
export class WireError extends Error {
  override readonly name = "WireError";
}

export class Reader {
  pos: number;
  readonly end: number;
  readonly buf: Buffer;

  constructor(buf: Buffer, start = 0, end = buf.length) {
    this.buf = buf;
    this.pos = start;
    this.end = end;
  }

  varint(): number {
    const buf = this.buf;
    let pos = this.pos;
    if (pos >= this.end) throw new WireError("truncated varint");
    let b = buf[pos++] as number;
    if (b < 0x80) {
      this.pos = pos;
      return b;
    }
    let v = b & 0x7f;
    let shift = 7;
    // first 28 bits with integer ops, the rest with float arithmetic (exact to 2^53)
    while (shift < 28) {
      if (pos >= this.end) throw new WireError("truncated varint");
      b = buf[pos++] as number;
      v |= (b & 0x7f) << shift;
      if (b < 0x80) {
        this.pos = pos;
        return v >>> 0;
      }
      shift += 7;
    }
    let f = v >>> 0;
    let mul = 2 ** 28;
    for (let i = 0; i < 6; i++) {
      if (pos >= this.end) throw new WireError("truncated varint");
      b = buf[pos++] as number;
      f += (b & 0x7f) * mul;
      if (b < 0x80) {
        this.pos = pos;
        return f;
      }
      mul *= 128;
    }
    throw new WireError("varint longer than 10 bytes");
  }

  /** Length of a length-delimited field, checked against the buffer; advances past the length. */
  len(): number {
    const n = this.varint();
    if (n > this.end - this.pos) throw new WireError("length beyond end of message");
    return n;
  }

  string(): string {
    const n = this.len();
    const s = this.pos;
    this.pos += n;
    return this.buf.toString("utf8", s, s + n);
  }

  skip(wireType: number): void {
    switch (wireType) {
      case 0:
        this.varint();
        return;
      case 1:
        this.advance(8);
        return;
      case 2:
        this.advance(this.len());
        return;
      case 5:
        this.advance(4);
        return;
      default:
        throw new WireError(`unsupported wire type ${String(wireType)}`);
    }
  }

  advance(n: number): void {
    if (n > this.end - this.pos) throw new WireError("field beyond end of message");
    this.pos += n;
  }
}
