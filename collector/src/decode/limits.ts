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

/** The counted caps: what {@link MessageBudget.over} names. */
export type CountedCap = "profiles" | "stacks" | "frames" | "strings" | "stackFrames";

const CAPS: Record<CountedCap, { reason: string; option: string; what: string; cap: (l: DecodeLimits) => number }> = {
  profiles: { reason: "too_many_profiles", option: "max-profiles", what: "profiles in one message", cap: (l) => l.maxProfiles },
  stacks: { reason: "too_many_stacks", option: "max-stacks", what: "stacks in one message", cap: (l) => l.maxStacks },
  frames: { reason: "too_many_frames", option: "max-frames", what: "frames in one message", cap: (l) => l.maxFrames },
  strings: { reason: "too_many_strings", option: "max-strings", what: "strings in one message", cap: (l) => l.maxStrings },
  stackFrames: {
    reason: "too_many_stack_frames",
    option: "max-stack-frames",
    what: "frame references in the stacks of one message",
    cap: (l) => l.maxStackFrames,
  },
};

/**
 * What is left of each cap in the message being decoded. The decoder decrements a count before
 * storing what it counts and throws {@link over} when it goes below zero (plain fields: this is
 * the hot path, once per stack, frame and string).
 */
export class MessageBudget {
  profilesLeft = 0;
  stacksLeft = 0;
  framesLeft = 0;
  stringsLeft = 0;
  stackFramesLeft = 0;
  limits: DecodeLimits;
  readonly #labelValues = new Set<string>();

  constructor(limits: DecodeLimits) {
    this.limits = limits;
  }

  /** Starts a message. */
  reset(limits: DecodeLimits): void {
    this.limits = limits;
    this.profilesLeft = limits.maxProfiles;
    this.stacksLeft = limits.maxStacks;
    this.framesLeft = limits.maxFrames;
    this.stringsLeft = limits.maxStrings;
    this.stackFramesLeft = limits.maxStackFrames;
    this.#labelValues.clear();
  }

  /** The error for a cap the message went over. */
  over(cap: CountedCap): LimitError {
    const c = CAPS[cap];
    return overLimit(c.reason, c.option, c.cap(this.limits), c.what);
  }

  labelValue(v: string): void {
    const seen = this.#labelValues;
    if (seen.has(v)) return;
    seen.add(v);
    if (seen.size > this.limits.maxLabelValues) {
      seen.clear();
      throw overLimit("too_many_label_values", "max-label-values", this.limits.maxLabelValues, "distinct label values in one message");
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
  if (n > max * 3)
    throw new LimitError("oversized_string", `max-string-length exceeded: ${what} is ${String(n)} bytes long (more than ${String(max)} characters)`);
  const start = r.pos;
  r.pos += n;
  checkUtf8(r.buf, start, start + n, what);
  const s = r.buf.toString("utf8", start, start + n);
  if (s.length > max)
    throw new LimitError("oversized_string", `max-string-length exceeded: ${what} is ${String(s.length)} characters long (more than ${String(max)})`);
  return s;
}
