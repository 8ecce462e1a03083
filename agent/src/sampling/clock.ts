/** Window boundaries aligned to the wall clock: every window starts at a multiple of its length. */

/** The first boundary strictly after `nowMs`. */
export function nextBoundary(nowMs: number, windowMs: number): number {
  return (Math.floor(nowMs / windowMs) + 1) * windowMs;
}
