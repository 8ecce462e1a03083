/**
 * Dense ids for 64-bit keys given as 32-bit halves (stack ids read from RowBinary): an
 * open-addressing table, no string or bigint per lookup.
 */
export class U64Index {
  #hi = new Uint32Array(1024);
  #lo = new Uint32Array(1024);
  /** id + 1 per slot; 0 = empty. */
  #slot = new Int32Array(1024);
  /** Keys by id: hi at 2·id, lo at 2·id + 1. */
  keys = new Uint32Array(512);
  size = 0;

  /** The id of (hi, lo), assigned in first-seen order. */
  id(hi: number, lo: number): number {
    if ((this.size + 1) * 2 > this.#slot.length) this.#grow();
    const mask = this.#slot.length - 1;
    let i = (Math.imul(lo ^ Math.imul(hi, 0x9e3779b1), 0x85ebca6b) >>> 0) & mask;
    for (;;) {
      const s = this.#slot[i] as number;
      if (s === 0) break;
      if (this.#lo[i] === lo && this.#hi[i] === hi) return s - 1;
      i = (i + 1) & mask;
    }
    const id = this.size++;
    this.#slot[i] = id + 1;
    this.#hi[i] = hi;
    this.#lo[i] = lo;
    if (this.keys.length < this.size * 2) {
      const k = new Uint32Array(this.keys.length * 2);
      k.set(this.keys);
      this.keys = k;
    }
    this.keys[id * 2] = hi;
    this.keys[id * 2 + 1] = lo;
    return id;
  }

  #grow(): void {
    const n = this.#slot.length * 2;
    this.#slot = new Int32Array(n);
    this.#hi = new Uint32Array(n);
    this.#lo = new Uint32Array(n);
    const mask = n - 1;
    for (let id = 0; id < this.size; id++) {
      const hi = this.keys[id * 2] as number;
      const lo = this.keys[id * 2 + 1] as number;
      let i = (Math.imul(lo ^ Math.imul(hi, 0x9e3779b1), 0x85ebca6b) >>> 0) & mask;
      while (this.#slot[i] !== 0) i = (i + 1) & mask;
      this.#slot[i] = id + 1;
      this.#hi[i] = hi;
      this.#lo[i] = lo;
    }
  }
}
