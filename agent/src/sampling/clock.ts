/**
 * Window boundaries aligned to the wall clock. (The clock itself, injectable so unit tests can
 * drive time by hand, is `Clock` in @fleetprof/common.)
 */

/** The first boundary strictly after `nowMs`: every window starts at a multiple of its length. */
export function nextBoundary(nowMs: number, windowMs: number): number {
  return (Math.floor(nowMs / windowMs) + 1) * windowMs;
}
