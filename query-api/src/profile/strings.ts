/** A string table: each distinct string once, referenced by index. */
export class StringTable {
  readonly values: string[] = [];
  readonly #index = new Map<string, number>();

  intern(value: string): number {
    let i = this.#index.get(value);
    if (i === undefined) {
      i = this.values.length;
      this.values.push(value);
      this.#index.set(value, i);
    }
    return i;
  }

  get(index: number): string {
    return this.values[index] ?? "";
  }
}
