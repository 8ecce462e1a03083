/**
 * Names (functions, files, threads) are cut to a number of UTF-8 bytes, at a character
 * boundary, and end in `…` when cut: the collector measures names in bytes.
 */

/** UTF-8 length of the `…` a cut name ends in. */
export const ELLIPSIS_BYTES = 3;

/** The largest offset ≤ `max` (and ≤ the buffer's length) that does not split a UTF-8 character. */
export function utf8Boundary(bytes: Uint8Array, max: number): number {
  let i = Math.max(0, Math.min(max, bytes.length));
  // A continuation byte (10xxxxxx) cannot start a character.
  while (i > 0 && i < bytes.length && ((bytes[i] as number) & 0xc0) === 0x80) i--;
  return i;
}

/** `name` if it has at most `maxBytes` of UTF-8, else its longest prefix that fits with `…`. */
export function limitName(name: string, maxBytes: number): { value: string; truncated: boolean } {
  // Fast path: even at 3 bytes per UTF-16 unit (surrogate pairs are 4 bytes per 2 units) it fits.
  if (name.length * 3 <= maxBytes || Buffer.byteLength(name, "utf8") <= maxBytes) return { value: name, truncated: false };
  const bytes = Buffer.from(name, "utf8");
  const cut = utf8Boundary(bytes, maxBytes - ELLIPSIS_BYTES);
  return { value: `${bytes.toString("utf8", 0, cut)}…`, truncated: true };
}
