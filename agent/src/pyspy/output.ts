/**
 * What one py-spy run recorded, as the agent keeps it: py-spy's frame table and, per thread,
 * its distinct stacks with their counts, already within the agent's limits (deep stacks cut
 * at the root end, long names shortened), with a count of everything that was cut.
 */

export interface OutputFrame {
  name: string;
  /** Empty when py-spy knows no file (some native frames). */
  file: string;
  /** 0 when unknown. */
  line: number;
}

export interface OutputStack {
  /** Indexes into {@link PySpyOutput.frames}, root first, leaf last. */
  frames: number[];
  /** Frames removed at the root end to keep the stack within the depth limit (0: none). */
  cut: number;
  count: number;
}

export interface OutputThread {
  /** OS thread id (or py-spy's hex Python thread id when it has none). */
  threadId: bigint;
  /** Thread name; `thread <id>` when py-spy knew none. */
  name: string;
  stacks: OutputStack[];
}

/** What was cut or dropped while reading, for the agent's metrics. */
export interface OutputCuts {
  /** Stacks deeper than the limit (cut at the root end, a frame marks the cut). */
  deepStacks: number;
  /** Frames removed from those stacks. */
  framesCut: number;
  /** Function, file and thread names shortened to the byte limit. */
  names: number;
  /** Bytes of py-spy's output that were not read (over the byte budget). */
  bytesSkipped: number;
  /** Samples lost: not read (over the budget), beyond the stack memory budget, or naming frames that are not in the table. */
  samplesDropped: number;
}

export interface PySpyOutput {
  frames: OutputFrame[];
  threads: OutputThread[];
  /** Samples kept (sum of the stacks' counts). */
  total: number;
  cuts: OutputCuts;
  /** Bytes of the file read (at most the byte budget). */
  bytesRead: number;
  /** Set when the output could not be read whole: what went wrong. */
  problem?: string;
}

export function noCuts(): OutputCuts {
  return { deepStacks: 0, framesCut: 0, names: 0, bytesSkipped: 0, samplesDropped: 0 };
}

/** An output with nothing in it (py-spy wrote none, or it could not be read: `problem`). */
export function emptyOutput(problem?: string): PySpyOutput {
  const out: PySpyOutput = { frames: [], threads: [], total: 0, cuts: noCuts(), bytesRead: 0 };
  if (problem !== undefined) out.problem = problem;
  return out;
}
