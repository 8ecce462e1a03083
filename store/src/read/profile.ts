/** The shape the read SQL returns for "every matching sample, merged by stack". */

/** One distinct frame. */
export interface FrameInfo {
  function: string;
  file: string;
  /** 0 when unknown. */
  line: number;
}

/** One distinct stack and how many samples it had. */
export interface StackCount {
  /** Indexes into {@link StackProfile.frames}, root first, leaf last. Empty when the stack is unknown. */
  frames: number[];
  count: number;
}

/** Which data answered a query. */
export type Source = "raw" | "rollup_1m" | "rollup_1h";

export interface StackProfile {
  frames: FrameInfo[];
  stacks: StackCount[];
  /** Sum of every stack's count. */
  total: number;
  /** First and last sample time (unix ms; bucket start for rollups); 0 when nothing matched. */
  firstMs: number;
  lastMs: number;
  source: Source;
}

export function emptyProfile(source: Source = "raw"): StackProfile {
  return { frames: [], stacks: [], total: 0, firstMs: 0, lastMs: 0, source };
}
