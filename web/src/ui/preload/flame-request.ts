/**
 * The Explore page's FlameGraph request, encoded without the protobuf runtime: the preload
 * script sends it while the app's bundle is still loading. `flame-request.test.ts` checks the
 * bytes against protobuf-es's `toBinary` of the same request.
 */

export interface FlameRequestFields {
  selector: string;
  startMs: number;
  endMs: number;
  maxNodes: number;
}

function varint(out: number[], value: number): void {
  let v = value;
  while (v >= 128) {
    out.push((v % 128) | 128);
    v = Math.floor(v / 128);
  }
  out.push(v);
}

/** `fleetprof.v1.FlameGraphRequest` in protobuf binary (proto3: zero values left out). */
export function encodeFlameGraphRequest(r: FlameRequestFields): Uint8Array<ArrayBuffer> {
  const out: number[] = [];
  if (r.selector !== "") {
    const bytes = new TextEncoder().encode(r.selector);
    out.push(0x0a);
    varint(out, bytes.length);
    for (const b of bytes) out.push(b);
  }
  const range: number[] = [];
  if (r.startMs !== 0) {
    range.push(0x08);
    varint(range, r.startMs);
  }
  if (r.endMs !== 0) {
    range.push(0x10);
    varint(range, r.endMs);
  }
  out.push(0x12);
  varint(out, range.length);
  out.push(...range);
  if (r.maxNodes !== 0) {
    out.push(0x18);
    varint(out, r.maxNodes);
  }
  return new Uint8Array(out);
}
