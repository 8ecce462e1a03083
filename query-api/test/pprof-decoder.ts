/**
 * A test-only reader of profile.proto (github.com/google/pprof proto/profile.proto), written
 * from the spec with @bufbuild/protobuf's BinaryReader, so tests can check an export the way
 * `pprof -top` reads it: flat (self) and cum (total) per function.
 */
import { gunzipSync } from "node:zlib";
import { BinaryReader, WireType } from "@bufbuild/protobuf/wire";

export interface DecodedProfile {
  sampleType: { type: string; unit: string }[];
  samples: { locationIds: bigint[]; values: bigint[] }[];
  locations: Map<bigint, { functionIds: bigint[]; lines: bigint[] }>;
  functions: Map<bigint, { name: string; systemName: string; filename: string }>;
  strings: string[];
  timeNanos: bigint;
  durationNanos: bigint;
  period: bigint;
}

function packedOrOne(r: BinaryReader, wt: WireType, read: (r: BinaryReader) => bigint): bigint[] {
  if (wt !== WireType.LengthDelimited) return [read(r)];
  const end = r.uint32() + r.pos;
  const out: bigint[] = [];
  while (r.pos < end) out.push(read(r));
  return out;
}

function messages(r: BinaryReader, onField: (field: number, wt: WireType, r: BinaryReader) => boolean): void {
  while (r.pos < r.len) {
    const [field, wt] = r.tag();
    if (!onField(field, wt, r)) r.skip(wt, field);
  }
}

export function decodePprof(gz: Uint8Array): DecodedProfile {
  const bytes = gunzipSync(gz);
  const p: DecodedProfile = {
    sampleType: [],
    samples: [],
    locations: new Map(),
    functions: new Map(),
    strings: [],
    timeNanos: 0n,
    durationNanos: 0n,
    period: 0n,
  };
  const rawTypes: [bigint, bigint][] = [];
  const rawFunctions: [bigint, bigint, bigint, bigint][] = [];
  messages(new BinaryReader(bytes), (field, wt, r) => {
    switch (field) {
      case 1: {
        const t: [bigint, bigint] = [0n, 0n];
        messages(new BinaryReader(r.bytes()), (f, _w, rr) =>
          f === 1 ? ((t[0] = BigInt(rr.int64())), true) : f === 2 ? ((t[1] = BigInt(rr.int64())), true) : false,
        );
        rawTypes.push(t);
        return true;
      }
      case 2: {
        const s = { locationIds: [] as bigint[], values: [] as bigint[] };
        messages(new BinaryReader(r.bytes()), (f, w, rr) => {
          if (f === 1) s.locationIds.push(...packedOrOne(rr, w, (x) => BigInt(x.uint64())));
          else if (f === 2) s.values.push(...packedOrOne(rr, w, (x) => BigInt(x.int64())));
          else return false;
          return true;
        });
        p.samples.push(s);
        return true;
      }
      case 4: {
        let id = 0n;
        const loc = { functionIds: [] as bigint[], lines: [] as bigint[] };
        messages(new BinaryReader(r.bytes()), (f, _w, rr) => {
          if (f === 1) id = BigInt(rr.uint64());
          else if (f === 4) {
            let fid = 0n;
            let line = 0n;
            messages(new BinaryReader(rr.bytes()), (lf, _lw, lr) =>
              lf === 1 ? ((fid = BigInt(lr.uint64())), true) : lf === 2 ? ((line = BigInt(lr.int64())), true) : false,
            );
            loc.functionIds.push(fid);
            loc.lines.push(line);
          } else return false;
          return true;
        });
        p.locations.set(id, loc);
        return true;
      }
      case 5: {
        const fn: [bigint, bigint, bigint, bigint] = [0n, 0n, 0n, 0n];
        messages(new BinaryReader(r.bytes()), (f, _w, rr) =>
          f >= 1 && f <= 4 ? ((fn[f - 1] = f === 1 ? BigInt(rr.uint64()) : BigInt(rr.int64())), true) : false,
        );
        rawFunctions.push(fn);
        return true;
      }
      case 6:
        p.strings.push(r.string());
        return true;
      case 9:
        p.timeNanos = BigInt(r.int64());
        return true;
      case 10:
        p.durationNanos = BigInt(r.int64());
        return true;
      case 12:
        p.period = BigInt(r.int64());
        return true;
      default:
        return wt === WireType.Varint ? (r.skip(wt, field), true) : false;
    }
  });
  const str = (i: bigint): string => {
    const s = p.strings[Number(i)];
    if (s === undefined) throw new Error(`string index ${String(i)} out of range`);
    return s;
  };
  p.sampleType = rawTypes.map(([t, u]) => ({ type: str(t), unit: str(u) }));
  for (const [id, name, sys, file] of rawFunctions) p.functions.set(id, { name: str(name), systemName: str(sys), filename: str(file) });
  return p;
}

/** What `pprof -top` prints: flat and cum per function name, cum counting a sample once per function. */
export function pprofTop(p: DecodedProfile): { total: bigint; flat: Map<string, bigint>; cum: Map<string, bigint> } {
  if (p.strings[0] !== "") throw new Error("string_table[0] must be empty");
  let total = 0n;
  const flat = new Map<string, bigint>();
  const cum = new Map<string, bigint>();
  for (const s of p.samples) {
    const v = s.values[0] ?? 0n;
    total += v;
    const names = s.locationIds.map((id) => {
      const loc = p.locations.get(id);
      if (loc === undefined) throw new Error(`sample references missing location ${String(id)}`);
      const fn = p.functions.get(loc.functionIds[0] ?? 0n);
      if (fn === undefined) throw new Error(`location ${String(id)} references a missing function`);
      return fn.name;
    });
    const leaf = names[0];
    if (leaf !== undefined) flat.set(leaf, (flat.get(leaf) ?? 0n) + v);
    for (const n of new Set(names)) cum.set(n, (cum.get(n) ?? 0n) + v);
  }
  return { total, flat, cum };
}
