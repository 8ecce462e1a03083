/**
 * Parses `py-spy record --format raw --threads --full-filenames` output.
 *
 * Each line is one distinct stack and its sample count: `frames count`, frames separated by
 * `;`, root first. With `--threads` the first frame names the thread: `thread (TID)` or
 * `thread (TID): NAME`. A Python frame is `NAME (FILE:LINE)`, or `NAME (FILE)` when the line
 * is unknown. py-spy escapes nothing, so function names, thread names and files may themselves
 * contain `;`, ` (` and `)`. The parser therefore splits only where a `;` follows something
 * that is a complete frame (a `(...)` group holding a plausible file name), takes the file
 * from the first ` (` that opens a plausible path, and ends a thread name at the last `;`
 * before the first frame. The one input it cannot tell apart is a name that itself contains a
 * whole frame followed by `;` (e.g. a function renamed to `f (/x.py:1);g`): no syntax can.
 */

export interface RawFrame {
  name: string;
  /** File as py-spy printed it; empty for frames without one. */
  file: string;
  /** 0 when unknown. */
  line: number;
}

export interface RawStack {
  /** Thread name; `thread <tid>` when py-spy did not know it, empty without `--threads`. */
  thread: string;
  /** OS thread id (or Python thread id, for py-spy's hex form); 0n when unknown. */
  threadId: bigint;
  /** Root first, leaf last. */
  frames: RawFrame[];
  count: number;
}

export interface ParsedRaw {
  stacks: RawStack[];
  /** Lines that could not be read at all (kept out of the stacks, counted). */
  badLines: number;
  /** Sum of all counts. */
  total: number;
}

const THREAD_PREFIX = /^thread \((0x[0-9a-fA-F]+|\d+)\)/;
const LINE_SUFFIX = /:(\d+)$/;
const FILE_EXT = /\.(py[cdwxi]?|pyx|so|c|cc|cpp|h|rs)$/;

/** Parses a whole raw output file. */
export function parseRaw(text: string): ParsedRaw {
  const stacks: RawStack[] = [];
  let badLines = 0;
  let total = 0;
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    const stack = parseRawLine(line);
    if (stack === undefined) {
      badLines++;
      continue;
    }
    stacks.push(stack);
    total += stack.count;
  }
  return { stacks, badLines, total };
}

/** Parses one line; undefined when it is not `stack count`. */
export function parseRawLine(rawLine: string): RawStack | undefined {
  const line = rawLine.endsWith("\r") ? rawLine.slice(0, -1) : rawLine;
  const sp = line.lastIndexOf(" ");
  if (sp <= 0) return undefined;
  const countText = line.slice(sp + 1);
  if (!/^\d+$/.test(countText)) return undefined;
  const count = Number(countText);
  let rest = line.slice(0, sp);
  let thread = "";
  let threadId = 0n;
  let named = false;
  const tm = THREAD_PREFIX.exec(rest);
  if (tm !== null) {
    const id = tm[1] as string;
    threadId = BigInt(id);
    rest = rest.slice(tm[0].length);
    if (rest.startsWith(": ")) {
      named = true;
      rest = rest.slice(2);
    } else if (rest.startsWith(";")) {
      rest = rest.slice(1);
    } else if (rest !== "") {
      return undefined;
    }
    thread = `thread ${id}`;
  }
  const frames = splitFrames(rest);
  if (named) {
    // The thread name runs up to the last `;` before the first frame's function name.
    const first = frames[0];
    if (first === undefined) {
      thread = rest;
    } else if (first.file === "" && frames.length === 1) {
      // No Python frame at all: everything is the thread name.
      thread = rest;
      frames.length = 0;
    } else {
      const cut = first.name.lastIndexOf(";");
      if (cut === -1) {
        // A thread name with no frames after it would have been a single unterminated segment.
        thread = first.name;
        frames.shift();
      } else {
        thread = first.name.slice(0, cut);
        first.name = first.name.slice(cut + 1);
      }
    }
  }
  return { thread, threadId, frames, count };
}

/** Splits `f (a.py:1);g (b.py:2)` into frames, tolerating `;`, ` (` and `)` inside names. */
function splitFrames(text: string): RawFrame[] {
  const frames: RawFrame[] = [];
  if (text === "") return frames;
  let start = 0;
  for (let j = text.indexOf(")", start); j !== -1; j = text.indexOf(")", j + 1)) {
    if (j + 1 !== text.length && text[j + 1] !== ";") continue;
    const frame = parseFrame(text.slice(start, j + 1));
    if (frame === undefined) continue;
    frames.push(frame);
    start = j + 2;
    if (start >= text.length) return frames;
  }
  if (start < text.length) {
    // Trailing text without a file: a frame py-spy printed by name only (native, or no file).
    frames.push({ name: text.slice(start), file: "", line: 0 });
  }
  return frames;
}

/** `NAME (FILE:LINE)` or `NAME (FILE)`, choosing the ` (` that opens a plausible file. */
function parseFrame(segment: string): RawFrame | undefined {
  const inner = segment.length - 1; // index of the closing ')'
  let fallback: RawFrame | undefined;
  for (let k = segment.indexOf(" ("); k !== -1 && k < inner; k = segment.indexOf(" (", k + 1)) {
    const body = segment.slice(k + 2, inner);
    const lm = LINE_SUFFIX.exec(body);
    const file = lm === null ? body : body.slice(0, lm.index);
    const line = lm === null ? 0 : Number(lm[1]);
    if (file === "") continue;
    const candidate = { name: segment.slice(0, k), file, line };
    const pathLike = file.startsWith("/") || file.startsWith("<");
    if (pathLike && (lm !== null || FILE_EXT.test(file) || file.endsWith(">"))) return candidate;
    if (lm !== null || FILE_EXT.test(file)) fallback = candidate;
  }
  return fallback;
}
