/**
 * What every QueryService handler reads with: the store, the server's limits, and the settings
 * of one call's ClickHouse queries (its deadline, its cancellation, its memory).
 */
import { readStackProfile, type ReadTarget, type SampleFilter, type StackProfile, type TimeWindow } from "@fleetprof/store";
import type { CallContext } from "../grpc/adapter.js";
import type { Limits } from "./request.js";

/** The read options of one call. */
export interface CallReads {
  signal: AbortSignal;
  timeoutMs: number;
  maxMemoryBytes: number;
  source: "auto" | "raw";
}

export interface Reads {
  store: ReadTarget;
  limits: Limits;
  /** The read options of the call `ctx`. */
  read: (ctx: CallContext) => CallReads;
  /** Every matching sample merged by stack. */
  profileOf: (filter: SampleFilter, window: TimeWindow, ctx: CallContext) => Promise<StackProfile>;
}

/** `rawOnly` reads the raw table only (tests comparing against rollups). */
export function serviceReads(store: ReadTarget, limits: Limits, rawOnly = false): Reads {
  const source = rawOnly ? ("raw" as const) : ("auto" as const);
  const read = (ctx: CallContext): CallReads => ({ signal: ctx.signal, timeoutMs: ctx.remainingMs(), maxMemoryBytes: limits.maxQueryMemoryBytes, source });
  return {
    store,
    limits,
    read,
    profileOf: (filter, window, ctx) => readStackProfile(store, { filter, window, maxStacks: limits.maxStacks, ...read(ctx) }),
  };
}
