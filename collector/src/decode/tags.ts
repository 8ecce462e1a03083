/**
 * The wire tags the SampleBatch decoder dispatches on, named from the generated descriptors of
 * samples.proto (see `fieldTag` in @fleetprof/proto): one comparison per field read checks
 * both its number and its wire type.
 */
import {
  elementTag,
  fieldTag,
  FrameSchema,
  MAP_KEY_STRING_TAG,
  MAP_VALUE_LENGTH_DELIMITED_TAG,
  ProcessProfileSchema,
  SampleBatchSchema,
  StackSchema,
} from "@fleetprof/proto";

/** Fields of `SampleBatch`. */
export const BATCH = {
  batchId: fieldTag(SampleBatchSchema, "batchId"),
  host: fieldTag(SampleBatchSchema, "host"),
  agentVersion: fieldTag(SampleBatchSchema, "agentVersion"),
  formatVersion: fieldTag(SampleBatchSchema, "formatVersion"),
  profiles: fieldTag(SampleBatchSchema, "profiles"),
  part: fieldTag(SampleBatchSchema, "part"),
  parts: fieldTag(SampleBatchSchema, "parts"),
} as const;

/** Fields of `ProcessProfile`. */
export const PROFILE = {
  pid: fieldTag(ProcessProfileSchema, "pid"),
  processStartUnixMs: fieldTag(ProcessProfileSchema, "processStartUnixMs"),
  service: fieldTag(ProcessProfileSchema, "service"),
  version: fieldTag(ProcessProfileSchema, "version"),
  labels: fieldTag(ProcessProfileSchema, "labels"),
  mode: fieldTag(ProcessProfileSchema, "mode"),
  sampleRateHz: fieldTag(ProcessProfileSchema, "sampleRateHz"),
  windowStartUnixMs: fieldTag(ProcessProfileSchema, "windowStartUnixMs"),
  windowEndUnixMs: fieldTag(ProcessProfileSchema, "windowEndUnixMs"),
  strings: fieldTag(ProcessProfileSchema, "strings"),
  frames: fieldTag(ProcessProfileSchema, "frames"),
  stacks: fieldTag(ProcessProfileSchema, "stacks"),
  samplerErrors: fieldTag(ProcessProfileSchema, "samplerErrors"),
  expectedSamples: fieldTag(ProcessProfileSchema, "expectedSamples"),
  labelsTruncated: fieldTag(ProcessProfileSchema, "labelsTruncated"),
  captureId: fieldTag(ProcessProfileSchema, "captureId"),
} as const;

/** Fields of a `labels` map entry (string keys and values). */
export const LABEL = { key: MAP_KEY_STRING_TAG, value: MAP_VALUE_LENGTH_DELIMITED_TAG } as const;

/** Fields of `Frame`. */
export const FRAME = {
  function: fieldTag(FrameSchema, "function"),
  file: fieldTag(FrameSchema, "file"),
  line: fieldTag(FrameSchema, "line"),
} as const;

/** Fields of `Stack`; frame ids come packed (proto3's default) or one by one. */
export const STACK = {
  frameIdsPacked: fieldTag(StackSchema, "frameIds"),
  frameId: elementTag(StackSchema, "frameIds"),
  thread: fieldTag(StackSchema, "thread"),
  count: fieldTag(StackSchema, "count"),
} as const;
