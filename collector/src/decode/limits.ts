/**
 * The caps on what decoding one message may allocate, checked while decoding: each count is
 * raised and compared before the thing it counts is stored, so a hostile message is refused
 * at the first element over a cap, having cost no more memory than the cap allows.
 */
import { isUtf8 } from "node:buffer";
import type { BatchLimits } from "@fleetprof/proto";
import type { Reader } from "./reader.js";

/** The caps the decoder enforces (the decompressed size is capped before it, by gunzip). */
export type DecodeLimits = Omit<BatchLimits, "maxDecodedBytes">;

/** A message that decodes but breaks a limit; `reason` is the dead-letter reason. */
export class LimitError extends Error {
  override readonly name = "LimitError";
  readonly reason: string;
  constructor(reason: string, message: string) {
    super(message);
    this.reason = reason;
  }
}

/** `max-profiles exceeded: more than 10000 profiles in one message`: the limit's option name, the value, the cap. */
export function overLimit(reason: string, option: string, cap: number, what: string): LimitError {
  return new LimitError(reason, `${option} exceeded: more than ${String(cap)} ${what}`);
}

/** Counts of one message so far, against its caps. */
export class MessageBudget {
  #profiles = 0;
  #stacks = 0;
  #frames = 0;
  #strings = 0;
  #stackFrames = 0;
  readonly #labelValues = new Set<string>();
  #limits: DecodeLimits;

  constructor(limits: DecodeLimits) {
    this.#limits = limits;
  }

  /** Starts a message. */
  reset(limits: DecodeLimits): void {
    this.#limits = limits;
    this.#profiles = this.#stacks = this.#frames = this.#strings = this.#stackFrames = 0;
    this.#labelValues.clear();
  }

  get limits(): DecodeLimits {
    return this.#limits;
  }

  profile(): void {
    if (++this.#profiles > this.#limits.maxProfiles) throw overLimit("too_many_profiles", "max-profiles", this.#limits.maxProfiles, "profiles in one message");
  }

  stack(): void {
    if (++this.#stacks > this.#limits.maxStacks) throw overLimit("too_many_stacks", "max-stacks", this.#limits.maxStacks, "stacks in one message");
  }

  frame(): void {
    if (++this.#frames > this.#limits.maxFrames) throw overLimit("too_many_frames", "max-frames", this.#limits.maxFrames, "frames in one message");
  }

  string(): void {
    if (++this.#strings > this.#limits.maxStrings) throw overLimit("too_many_strings", "max-strings", this.#limits.maxStrings, "strings in one message");
  }

  /** Whether `n` more frame references in stacks fit the cap. */
  hasRoomFor(n: number): boolean {
    return this.#stackFrames + n <= this.#limits.maxStackFrames;
  }

  /** The error for frame references over the cap. */
  tooManyStackFrames(): LimitError {
    return overLimit("too_many_stack_frames", "max-stack-frames", this.#limits.maxStackFrames, "frame references in the stacks of one message");
  }

  /** Counts `n` frame references stored (after {@link hasRoomFor} said they fit). */
  stackFrames(n: number): void {
    this.#stackFrames += n;
  }

  labelValue(v: string): void {
    const seen = this.#labelValues;
    if (seen.has(v)) return;
    seen.add(v);
    if (seen.size > this.#limits.maxLabelValues) {
      seen.clear();
      throw overLimit("too_many_label_values", "max-label-values", this.#limits.maxLabelValues, "distinct label values in one message");
    }
  }

  /** Releases what the message's counts hold (its label values). */
  done(): void {
    this.#labelValues.clear();
  }
}

/** Throws unless `buf[start .. end)` is valid UTF-8 (`what` names the field). */
export function checkUtf8(buf: Buffer, start: number, end: number, what: string): void {
  if (!isUtf8(buf.subarray(start, end))) throw new LimitError("invalid_utf8", `${what} is not valid UTF-8`);
}

/**
 * A length-delimited string field, refused before it becomes a JavaScript string when it is
 * certainly too long (over 3 bytes per UTF-16 unit) or not UTF-8; the limit counts characters.
 */
export function readString(r: Reader, limits: DecodeLimits, what: string): string {
  const n = r.len();
  const max = limits.maxStringLength;
  if (n > max * 3) throw new LimitError("oversized_string", `max-string-length exceeded: ${what} is ${String(n)} bytes long (more than ${String(max)} characters)`);
  const start = r.pos;
  r.pos += n;
  checkUtf8(r.buf, start, start + n, what);
  const s = r.buf.toString("utf8", start, start + n);
  if (s.length > max) throw new LimitError("oversized_string", `max-string-length exceeded: ${what} is ${String(s.length)} characters long (more than ${String(max)})`);
  return s;
}
