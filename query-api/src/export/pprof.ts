/**
 * pprof export: a gzip-compressed profile.proto (github.com/google/pprof, proto/profile.proto)
 * written field by field with @bufbuild/protobuf's BinaryWriter, so no second protobuf runtime
 * and no vendored schema. One sample per distinct stack (value: sample count), one location
 * per distinct frame (function, file, line), one function per (function, file). Location ids
 * in a sample go leaf first, as pprof expects.
 */
import { gzipSync } from "node:zlib";
import { BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import type { StackProfile } from "@fleetprof/store";
import { StringTable } from "../profile/strings.js";
import { UNKNOWN_FUNCTION } from "../profile/tree.js";

/** profile.proto field numbers. */
const PROFILE = {
  sampleType: 1,
  sample: 2,
  location: 4,
  function: 5,
  stringTable: 6,
  timeNanos: 9,
  durationNanos: 10,
  periodType: 11,
  period: 12,
  defaultSampleType: 14,
} as const;
const VALUE_TYPE = { type: 1, unit: 2 } as const;
const SAMPLE = { locationId: 1, value: 2 } as const;
const LOCATION = { id: 1, line: 4 } as const;
const LINE = { functionId: 1, line: 2 } as const;
const FUNCTION = { id: 1, name: 2, systemName: 3, filename: 4 } as const;

export interface PprofOptions {
  /** Sample type name, e.g. "samples" (default). */
  sampleType?: string;
}

/** The uncompressed profile.proto bytes. */
export function encodeProfile(profile: StackProfile, options: PprofOptions = {}): Uint8Array {
  const strings = new StringTable();
  strings.intern(""); // string_table[0] must be "".
  const w = new BinaryWriter();
  const valueType = (field: number, type: string, unit: string): void => {
    w.tag(field, WireType.LengthDelimited).fork();
    w.tag(VALUE_TYPE.type, WireType.Varint).int64(strings.intern(type));
    w.tag(VALUE_TYPE.unit, WireType.Varint).int64(strings.intern(unit));
    w.join();
  };
  const sampleType = options.sampleType ?? "samples";
  valueType(PROFILE.sampleType, sampleType, "count");

  // Functions by (name, file); locations by frame index (1-based ids; 0 is invalid in pprof).
  const functionIds = new Map<string, number>();
  const functions: { name: number; file: number }[] = [];
  const frameFunction = profile.frames.map((f) => {
    const name = strings.intern(f.function === "" ? UNKNOWN_FUNCTION : f.function);
    const file = strings.intern(f.file);
    const key = `${String(name)}:${String(file)}`;
    let id = functionIds.get(key);
    if (id === undefined) {
      functions.push({ name, file });
      id = functions.length;
      functionIds.set(key, id);
    }
    return id;
  });
  let unknownLocation = 0;
  for (const stack of profile.stacks) {
    if (stack.count === 0) continue;
    w.tag(PROFILE.sample, WireType.LengthDelimited).fork();
    w.tag(SAMPLE.locationId, WireType.LengthDelimited).fork();
    if (stack.frames.length === 0) {
      unknownLocation = profile.frames.length + 1;
      w.uint64(unknownLocation);
    }
    for (let i = stack.frames.length - 1; i >= 0; i--) w.uint64((stack.frames[i] as number) + 1);
    w.join();
    w.tag(SAMPLE.value, WireType.LengthDelimited).fork().int64(stack.count).join();
    w.join();
  }
  const location = (id: number, functionId: number, line: number): void => {
    w.tag(PROFILE.location, WireType.LengthDelimited).fork();
    w.tag(LOCATION.id, WireType.Varint).uint64(id);
    w.tag(LOCATION.line, WireType.LengthDelimited).fork();
    w.tag(LINE.functionId, WireType.Varint).uint64(functionId);
    if (line !== 0) w.tag(LINE.line, WireType.Varint).int64(line);
    w.join();
    w.join();
  };
  profile.frames.forEach((f, i) => location(i + 1, frameFunction[i] as number, f.line));
  if (unknownLocation !== 0) {
    functions.push({ name: strings.intern(UNKNOWN_FUNCTION), file: 0 });
    location(unknownLocation, functions.length, 0);
  }
  functions.forEach((f, i) => {
    w.tag(PROFILE.function, WireType.LengthDelimited).fork();
    w.tag(FUNCTION.id, WireType.Varint).uint64(i + 1);
    w.tag(FUNCTION.name, WireType.Varint).int64(f.name);
    w.tag(FUNCTION.systemName, WireType.Varint).int64(f.name);
    w.tag(FUNCTION.filename, WireType.Varint).int64(f.file);
    w.join();
  });
  if (profile.firstMs > 0) {
    w.tag(PROFILE.timeNanos, WireType.Varint).int64(BigInt(profile.firstMs) * 1_000_000n);
    w.tag(PROFILE.durationNanos, WireType.Varint).int64(BigInt(Math.max(0, profile.lastMs - profile.firstMs)) * 1_000_000n);
  }
  valueType(PROFILE.periodType, sampleType, "count");
  w.tag(PROFILE.period, WireType.Varint).int64(1);
  // The string table last: every string is interned by now.
  for (const s of strings.values) w.tag(PROFILE.stringTable, WireType.LengthDelimited).string(s);
  return w.finish();
}

/** The gzip-compressed profile, as `pprof` reads it. */
export function exportPprof(profile: StackProfile, options: PprofOptions = {}): Uint8Array {
  return gzipSync(encodeProfile(profile, options));
}
