/** The hand-over between the preload script and the Explore page. */
import type { ResolvedRange } from "../time-range.js";

export const PRELOAD_KEY = "fleetprofFlamePreload";

export interface FlamePreload {
  /** The query string it was made for. */
  search: string;
  /** The range it resolved (relative ranges resolve once, for every request of the page). */
  range: ResolvedRange;
  /** The FlameGraphResponse, or undefined when the call failed (the page then asks itself, and shows the error). */
  bytes: Promise<Uint8Array | undefined>;
}

/** The preloaded FlameGraph for this query string, once. */
export function takeFlamePreload(search: string): FlamePreload | undefined {
  const w = window as unknown as Record<string, FlamePreload | undefined>;
  const p = w[PRELOAD_KEY];
  w[PRELOAD_KEY] = undefined;
  return p !== undefined && p.search === search ? p : undefined;
}
