/**
 * Every stack must fit in one NATS message: a batch is split by profiles and then by stacks,
 * but one stack cannot be split, and a server refuses a message over its max_payload. A stack
 * whose frames' names alone are larger than that (a thousand frames with 4 KiB names) is cut
 * at the root end until it fits, the leaf end kept and a frame marking the cut, like a stack
 * deeper than the agent's depth limit.
 *
 * Sizes are estimated before compression, so a stack that fits the estimate fits the
 * compressed message too (gzip grows incompressible input by well under 1/512).
 */
import { create, toBinary } from "@bufbuild/protobuf";
import {
  FrameSchema,
  ProcessProfileSchema,
  SampleBatchSchema,
  StackSchema,
  subsetProfile,
  type ProcessProfile,
  type SampleBatch,
  type Stack,
} from "@fleetprof/proto";
import { cutCount, cutMarker } from "../sampling/profile.js";

export interface FitResult {
  /** Stacks cut at the root end. */
  stacks: number;
  /** Frames removed from them. */
  frames: number;
  /** Samples of stacks dropped because not even a cut marker with their thread name fits. */
  droppedSamples: number;
}

/** Protobuf bytes of a string field holding `bytes` bytes (tag, length, data). */
const stringCost = (bytes: number): number => bytes + 4;
/** Upper bound of one encoded Frame (three varints of at most 5 bytes, tags, length). */
const FRAME_COST = 20;
/** Upper bound of one packed frame index in a stack. */
const INDEX_COST = 5;
/** Upper bound of a Stack without its frame indexes (thread, thread id, count, tags, length). */
const STACK_COST = 40;

/** Cuts every stack of `batch` that alone would not fit in `maxBytes` (its profiles are replaced). */
export function fitStacks(batch: SampleBatch, maxBytes: number): FitResult {
  const result: FitResult = { stacks: 0, frames: 0, droppedSamples: 0 };
  const envelope = toBinary(SampleBatchSchema, create(SampleBatchSchema, { ...batch, profiles: [] })).byteLength;
  batch.profiles = batch.profiles.map((profile) => {
    const bare = toBinary(ProcessProfileSchema, create(ProcessProfileSchema, { ...profile, strings: [], frames: [], stacks: [] })).byteLength;
    return fitProfile(profile, maxBytes - Math.ceil(maxBytes / 512) - 64 - envelope - bare - 8, result);
  });
  return result;
}

/** `profile`, or a copy whose stacks each fit `budget` bytes (counted in `result`). */
function fitProfile(profile: ProcessProfile, budget: number, result: FitResult): ProcessProfile {
  const sizes = profile.strings.map((s) => stringCost(Buffer.byteLength(s, "utf8")));
  // The whole profile's stacks, strings and frames bound any one stack's: usually that fits.
  let whole = sizes.reduce((a, b) => a + b, 0) + FRAME_COST * profile.frames.length;
  for (const stack of profile.stacks) whole += STACK_COST + INDEX_COST * stack.frameIds.length;
  if (whole <= budget) return profile;
  const kept: Stack[] = [];
  let changed = false;
  for (const stack of profile.stacks) {
    if (stackCost(profile, stack, sizes) <= budget) {
      kept.push(stack);
      continue;
    }
    changed = true;
    const fitted = cutToFit(profile, stack, sizes, budget);
    if (fitted === undefined) {
      result.droppedSamples += Number(stack.count);
      continue;
    }
    result.stacks++;
    result.frames += stack.frameIds.length - (fitted.frameIds.length - 1);
    kept.push(fitted);
  }
  // Without the names only the cut frames used: a profile of just that stack must fit too.
  return changed ? subsetProfile(profile, kept) : profile;
}

/** Estimated encoded size of `stack` alone in a profile (each string and frame once). */
function stackCost(profile: ProcessProfile, stack: Stack, sizes: number[]): number {
  const strings = new Set<number>([stack.thread]);
  const frames = new Set<number>(stack.frameIds);
  let cost = STACK_COST + INDEX_COST * stack.frameIds.length + FRAME_COST * frames.size;
  for (const f of frames) {
    const frame = profile.frames[f];
    if (frame === undefined) continue;
    strings.add(frame.function);
    strings.add(frame.file);
  }
  for (const s of strings) cost += sizes[s] ?? 0;
  return cost;
}

/**
 * The longest leaf end of `stack` that fits `budget` with a cut marker in front (the marker's
 * string and frame are appended to the profile), or undefined when not even that fits.
 */
function cutToFit(profile: ProcessProfile, stack: Stack, sizes: number[], budget: number): Stack | undefined {
  const ids = stack.frameIds;
  const strings = new Set<number>([stack.thread]);
  const frames = new Set<number>();
  // The marker: its name (at most ~30 bytes), an empty file, one frame, one index.
  let cost = STACK_COST + (sizes[stack.thread] ?? 0) + stringCost(32) + stringCost(0) + FRAME_COST + INDEX_COST;
  let keep = 0;
  for (let i = ids.length - 1; i >= 0; i--) {
    const f = ids[i] as number;
    let add = INDEX_COST;
    const frame = profile.frames[f];
    if (!frames.has(f) && frame !== undefined) {
      add += FRAME_COST;
      if (!strings.has(frame.function)) add += sizes[frame.function] ?? 0;
      if (!strings.has(frame.file) && frame.file !== frame.function) add += sizes[frame.file] ?? 0;
    }
    if (cost + add > budget) break;
    cost += add;
    keep++;
    frames.add(f);
    if (frame !== undefined) {
      strings.add(frame.function);
      strings.add(frame.file);
    }
  }
  if (cost > budget) return undefined;
  // A stack already cut for depth starts with a marker: the new one counts those frames too.
  const root = profile.frames[ids[0] as number];
  const earlier = root === undefined ? 0 : cutCount(profile.strings[root.function] ?? "");
  const cut = ids.length - keep + (earlier > 0 && keep < ids.length ? earlier - 1 : 0);
  const frame = create(FrameSchema, { function: addString(profile, sizes, cutMarker(cut)), file: addString(profile, sizes, ""), line: 0 });
  profile.frames.push(frame);
  return create(StackSchema, { ...stack, frameIds: [profile.frames.length - 1, ...ids.slice(ids.length - keep)] });
}

/** Index of `s` in the profile's string table, appended when missing. */
function addString(profile: ProcessProfile, sizes: number[], s: string): number {
  const i = profile.strings.indexOf(s);
  if (i >= 0) return i;
  profile.strings.push(s);
  sizes.push(stringCost(Buffer.byteLength(s, "utf8")));
  return profile.strings.length - 1;
}
