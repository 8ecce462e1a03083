/**
 * Reads what `py-spy record --format speedscope` writes (see agent/README.md, "Parsing", for
 * why this format): one JSON document,
 *
 *   {"$schema":…,"profiles":[{"type":"sampled","name":"Thread 8041 \"MainThread\"",…,
 *     "samples":[[4,3,2,1,0],…],"weights":[0.01,…]},…],
 *    "shared":{"frames":[{"name":"spin","file":"/w/app.py","line":35,"col":null},…]},…}
 *
 * one profile per thread (its name carries the thread id and name), one sample per tick the
 * thread was recorded in (frame indexes root first), and the frame table last. Every name is a
 * JSON string, so no name can forge structure. The reader streams the file once, aggregating
 * samples into distinct stacks per thread as it goes, and keeps memory bounded: names are cut
 * to the byte limit while read, stacks to the depth limit (the leaf end is kept), distinct
 * stacks to a budget of frames, and at most `maxBytes` of the file are read: beyond that the
 * rest of the samples is skipped and the frame table read from the end of the file.
 */
import { AGENT_LIMITS } from "@fleetprof/proto";
import { BudgetExhausted, JsonScanner, JsonShapeError, type ScannedString } from "./json-scanner.js";
import { limitName } from "./name-limit.js";
import { noCuts, type OutputFrame, type OutputStack, type OutputThread, type PySpyOutput } from "./output.js";

export interface OutputLimits {
  /** Bytes of one output file read at most. */
  maxBytes: number;
  /** Frames of one stack, counting the frame that marks a cut. */
  maxStackDepth: number;
  /** UTF-8 bytes of one name. */
  maxStringBytes: number;
  /** Frames kept over all distinct stacks of one output (bounds the agent's memory per window). */
  maxStackFrames: number;
}

export const DEFAULT_OUTPUT_LIMITS: OutputLimits = {
  maxBytes: 64 * 1024 * 1024,
  maxStackDepth: AGENT_LIMITS.maxStackDepth,
  maxStringBytes: AGENT_LIMITS.maxStringBytes,
  maxStackFrames: 1 << 20,
};

const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const COLON = 0x3a;
const NULL = 0x6e;
/**
 * Where the frame table starts. A `"` right after `,` cannot be inside a JSON string (there
 * every `"` is escaped), so this text occurs only as the top-level key.
 */
const SHARED_KEY = Buffer.from(',"shared":{"frames":[');
const THREAD_NAME = /^Thread (0x[0-9A-Fa-f]+|\d+) "/;
const BACKWARD_CHUNK = 64 * 1024;

interface ThreadAcc {
  threadId: bigint;
  name: string;
  /** Distinct stacks by a hash of their frames (several per hash when hashes collide). */
  stacks: Map<number, OutputStack[]>;
}

/** Reads py-spy's speedscope output at `path`; undefined when py-spy wrote none. */
export function readSpeedscope(path: string, limits: OutputLimits = DEFAULT_OUTPUT_LIMITS): PySpyOutput | undefined {
  let scanner: JsonScanner;
  try {
    scanner = new JsonScanner(path, limits.maxStringBytes);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
  try {
    return new SpeedscopeReader(scanner, limits).read();
  } finally {
    scanner.close();
  }
}

class SpeedscopeReader {
  readonly #s: JsonScanner;
  readonly #limits: OutputLimits;
  readonly #frames: OutputFrame[] = [];
  readonly #threads: ThreadAcc[] = [];
  readonly #cuts = noCuts();
  /** The last frames of the sample being read (a ring: only the leaf end is kept). */
  readonly #ring: Uint32Array;
  #keptFrames = 0;
  #problem: string | undefined;

  constructor(scanner: JsonScanner, limits: OutputLimits) {
    this.#s = scanner;
    this.#limits = limits;
    this.#ring = new Uint32Array(Math.max(1, limits.maxStackDepth - 1));
  }

  read(): PySpyOutput {
    const s = this.#s;
    let tail: { at: number; skipFrom: number } | undefined;
    if (s.size > this.#limits.maxBytes) {
      const before = s.bytesRead;
      const at = this.findFrameTable();
      if (at === undefined) {
        this.#cuts.bytesSkipped = s.size;
        this.#problem = `the output is ${String(s.size)} bytes, over the ${String(this.#limits.maxBytes)} byte budget, and its frame table was not found within it`;
        return this.finish();
      }
      // The budget covers the search, the samples read, and the frame table (read again).
      const skipFrom = Math.max(0, this.#limits.maxBytes - (s.bytesRead - before) - (s.size - at));
      s.range(0, skipFrom);
      tail = { at, skipFrom };
    }
    try {
      this.document(tail);
    } catch (err) {
      if (!(err instanceof JsonShapeError) && !(err instanceof BudgetExhausted)) throw err;
      this.#problem = `unreadable speedscope output: ${err.message}`;
    }
    return this.finish();
  }

  /** The top-level object; with `tail`, the samples stop at `skipFrom` and reading resumes at the frame table. */
  private document(tail: { at: number; skipFrom: number } | undefined): void {
    const s = this.#s;
    s.expect(OPEN_OBJECT);
    if (s.accept(CLOSE_OBJECT)) return;
    do {
      const key = this.key();
      if (key === "profiles") {
        try {
          this.profiles();
        } catch (err) {
          if (!(err instanceof BudgetExhausted) || tail === undefined) throw err;
          this.#cuts.bytesSkipped = tail.at - tail.skipFrom;
          this.#problem = `the output is ${String(s.size)} bytes, over the ${String(this.#limits.maxBytes)} byte budget: ${String(this.#cuts.bytesSkipped)} bytes of samples were not read`;
          s.range(tail.at, s.size);
        }
      } else if (key === "shared") {
        this.shared();
      } else {
        s.skip();
      }
    } while (s.more(CLOSE_OBJECT));
  }

  private key(): string {
    const k = this.#s.string(64).value;
    this.#s.expect(COLON);
    return k;
  }

  /** Offset of the frame table, searched backwards from the end within half the byte budget. */
  private findFrameTable(): number | undefined {
    const s = this.#s;
    const lowest = Math.max(0, s.size - Math.floor(this.#limits.maxBytes / 2));
    for (let end = s.size; end > lowest;) {
      const start = Math.max(lowest, end - BACKWARD_CHUNK);
      const bytes = s.readAt(start, Math.min(s.size, end + SHARED_KEY.length - 1) - start);
      const i = bytes.lastIndexOf(SHARED_KEY);
      if (i >= 0) return start + i;
      end = start;
    }
    return undefined;
  }

  private profiles(): void {
    const s = this.#s;
    s.expect(OPEN_ARRAY);
    if (s.accept(CLOSE_ARRAY)) return;
    do this.profile();
    while (s.more(CLOSE_ARRAY));
  }

  private profile(): void {
    const s = this.#s;
    const thread: ThreadAcc = { threadId: 0n, name: "", stacks: new Map() };
    this.#threads.push(thread);
    s.expect(OPEN_OBJECT);
    if (s.accept(CLOSE_OBJECT)) return;
    do {
      const key = this.key();
      if (key === "name") this.threadName(thread, s.string());
      else if (key === "samples") this.samples(thread);
      else s.skip();
    } while (s.more(CLOSE_OBJECT));
  }

  /** `Thread <id> "<name>"` (py-spy's profile name for a thread). */
  private threadName(thread: ThreadAcc, text: ScannedString): void {
    const m = THREAD_NAME.exec(text.value);
    if (m === null) {
      thread.name = this.limit(text.value, text.truncated);
      return;
    }
    const id = m[1] as string;
    thread.threadId = BigInt(id);
    let name = text.value.slice(m[0].length);
    if (!text.truncated) name = name.slice(0, -1);
    thread.name = name === "" ? `thread ${id}` : this.limit(name, text.truncated);
  }

  private limit(name: string, alreadyCut: boolean): string {
    const limited = limitName(name, this.#limits.maxStringBytes);
    if (alreadyCut || limited.truncated) this.#cuts.names++;
    return limited.value;
  }

  private samples(thread: ThreadAcc): void {
    const s = this.#s;
    const ring = this.#ring;
    s.expect(OPEN_ARRAY);
    if (s.accept(CLOSE_ARRAY)) return;
    do this.addSample(thread, s.uintList(ring));
    while (s.more(CLOSE_ARRAY));
  }

  /** Counts the sample of `n` frames whose leaf end is in the ring. */
  private addSample(thread: ThreadAcc, n: number): void {
    const ring = this.#ring;
    const keep = ring.length;
    const kept = Math.min(n, keep);
    const cut = n - kept;
    const first = n > keep ? n % keep : 0;
    // The kept frames in order: ring[first..keep) then ring[0..first) (first is 0 unless cut).
    const wrap = first === 0 ? kept : keep;
    let hash = Math.imul(cut ^ 0x9e3779b9, 0x85ebca6b);
    for (let i = first; i < wrap; i++) hash = Math.imul(hash ^ (ring[i] as number), 0x01000193) ^ (hash >>> 15);
    for (let i = 0; i < first; i++) hash = Math.imul(hash ^ (ring[i] as number), 0x01000193) ^ (hash >>> 15);
    const bucket = thread.stacks.get(hash);
    if (bucket !== undefined) {
      for (const known of bucket) {
        if (known.cut === cut && sameFrames(known.frames, ring, first, kept)) {
          known.count++;
          return;
        }
      }
    }
    if (this.#keptFrames + kept > this.#limits.maxStackFrames) {
      this.#cuts.samplesDropped++;
      this.#problem ??= `more distinct stacks than the agent keeps per window (${String(this.#limits.maxStackFrames)} frames in all): the rest were dropped`;
      return;
    }
    this.#keptFrames += kept;
    const frames = [...ring.subarray(first, wrap), ...ring.subarray(0, first)];
    const stack = { frames, cut, count: 1 };
    if (bucket === undefined) thread.stacks.set(hash, [stack]);
    else bucket.push(stack);
    if (cut > 0) {
      this.#cuts.deepStacks++;
      this.#cuts.framesCut += cut;
    }
  }

  private shared(): void {
    const s = this.#s;
    s.expect(OPEN_OBJECT);
    if (s.accept(CLOSE_OBJECT)) return;
    do {
      if (this.key() === "frames") this.frameTable();
      else s.skip();
    } while (s.more(CLOSE_OBJECT));
  }

  private frameTable(): void {
    const s = this.#s;
    s.expect(OPEN_ARRAY);
    if (s.accept(CLOSE_ARRAY)) return;
    do {
      const frame: OutputFrame = { name: "", file: "", line: 0 };
      s.expect(OPEN_OBJECT);
      if (!s.accept(CLOSE_OBJECT)) {
        do {
          const key = this.key();
          if (key === "line") frame.line = Math.max(0, Math.trunc(s.numberOrNull() ?? 0));
          else if ((key === "name" || key === "file") && s.peek() !== NULL) {
            const text = s.string();
            frame[key] = this.limit(text.value, text.truncated);
          } else s.skip();
        } while (s.more(CLOSE_OBJECT));
      }
      this.#frames.push(frame);
    } while (s.more(CLOSE_ARRAY));
  }

  /** The threads' stacks, minus any that name a frame the table does not have. */
  private finish(): PySpyOutput {
    const threads: OutputThread[] = [];
    let total = 0;
    for (const t of this.#threads) {
      const stacks: OutputStack[] = [];
      for (const st of [...t.stacks.values()].flat()) {
        if (st.frames.some((f) => f >= this.#frames.length)) {
          this.#cuts.samplesDropped += st.count;
          this.#problem ??= "samples name frames that are not in the frame table";
          continue;
        }
        stacks.push(st);
        total += st.count;
      }
      threads.push({ threadId: t.threadId, name: t.name, stacks });
    }
    const out: PySpyOutput = { frames: this.#frames, threads, total, cuts: this.#cuts, bytesRead: this.#s.bytesRead };
    if (this.#problem !== undefined) out.problem = this.#problem;
    return out;
  }
}

/** Whether `frames` equals the `kept` ring entries from `first` on. */
function sameFrames(frames: number[], ring: Uint32Array, first: number, kept: number): boolean {
  if (frames.length !== kept) return false;
  const wrap = first === 0 ? kept : ring.length;
  let j = 0;
  for (let i = first; i < wrap; i++) if (frames[j++] !== ring[i]) return false;
  for (let i = 0; i < first; i++) if (frames[j++] !== ring[i]) return false;
  return true;
}
