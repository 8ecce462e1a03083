/**
 * A set of 64-bit ids held as (hi, lo) pairs in typed arrays: which frames and stacks were
 * already written to the dictionaries. Bounded: when it fills up it is cleared (writing a
 * dictionary row twice is harmless, the tables replace duplicates).
 */
export class SeenSet {
  #keys: Uint32Array;
  #mask: number;
  #size = 0;
  #limit: number;

  readonly #max: number;

  /**
   * `capacity`: most ids held before the set clears itself. The set starts at `initial` ids and
   * doubles as it fills, up to `capacity`.
   */
  constructor(capacity = 1 << 20, initial = capacity) {
    this.#max = capacity;
    let slots = 16;
    while (slots * 0.7 < Math.min(initial, capacity)) slots *= 2;
    this.#keys = new Uint32Array(slots * 2);
    this.#mask = slots - 1;
    this.#limit = Math.floor(slots * 0.7);
  }

  #grow(): boolean {
    const slots = (this.#mask + 1) * 2;
    if (Math.floor((slots / 2) * 0.7) >= this.#max) return false;
    const old = this.#keys;
    this.#keys = new Uint32Array(slots * 2);
    this.#mask = slots - 1;
    this.#limit = Math.floor(slots * 0.7);
    this.#size = 0;
    for (let i = 0; i < old.length; i += 2) {
      const hi = old[i] as number;
      const lo = old[i + 1] as number;
      if (hi !== 0 || lo !== 0) this.add(hi, lo);
    }
    return true;
  }

  get size(): number {
    return this.#size;
  }

  #slot(hi: number, lo: number): number {
    let i = (Math.imul(lo ^ hi, 0x9e3779b1) >>> 0) & this.#mask;
    const keys = this.#keys;
    for (;;) {
      const khi = keys[i * 2] as number;
      const klo = keys[i * 2 + 1] as number;
      if ((khi === 0 && klo === 0) || (khi === hi && klo === lo)) return i;
      i = (i + 1) & this.#mask;
    }
  }

  has(hi: number, lo: number): boolean {
    hi >>>= 0;
    lo >>>= 0;
    if (hi === 0 && lo === 0) return false;
    const i = this.#slot(hi, lo);
    return this.#keys[i * 2] === hi && this.#keys[i * 2 + 1] === lo;
  }

  /** Adds; returns true when the id was new. */
  add(hi: number, lo: number): boolean {
    hi >>>= 0;
    lo >>>= 0;
    if (hi === 0 && lo === 0) return false;
    const i = this.#slot(hi, lo);
    if (this.#keys[i * 2] === hi && this.#keys[i * 2 + 1] === lo) return false;
    if (this.#size >= this.#limit) {
      if (!this.#grow()) this.clear();
      return this.add(hi, lo);
    }
    this.#keys[i * 2] = hi;
    this.#keys[i * 2 + 1] = lo;
    this.#size++;
    return true;
  }

  clear(): void {
    if (this.#size === 0) return;
    this.#keys.fill(0);
    this.#size = 0;
  }
}
