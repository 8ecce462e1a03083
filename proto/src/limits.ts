/**
 * Bounds on what one profile may hold, shared by the agent (which truncates to stay inside
 * them) and the collector (which dead-letters what breaks them). The agent's are strictly
 * tighter than the collector's defaults, so legitimate data is cut and counted at the source
 * and never refused downstream.
 */

/** What a collector accepts by default (its `--max-stack-depth` and `--max-string-length`). */
export const COLLECTOR_DEFAULT_LIMITS = {
  /** Frames in one stack. */
  maxStackDepth: 2048,
  /** UTF-8 bytes of one function, file or thread name (label values: characters). */
  maxStringBytes: 8192,
} as const;

/** What an agent sends at most: half the collector's defaults. */
export const AGENT_LIMITS = {
  /** Frames in one stack, counting the frame that marks a cut. */
  maxStackDepth: 1024,
  /** UTF-8 bytes of one function, file or thread name. */
  maxStringBytes: 4096,
} as const;
