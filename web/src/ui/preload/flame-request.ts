/**
 * The FlameGraph request, encoded without the protobuf runtime: the preload script sends it
 * while the app's bundle is still loading, and the app's flame-fetch.ts after. `flame-request.test.ts` checks the
 * bytes against protobuf-es's `toBinary` of the same request.
 */

import { storedToken } from "../token.js";

export const FLAME_GRAPH_PATH = "/fleetprof.v1.QueryService/FlameGraph";

/** The FlameGraph route's request headers (Connect, binary; the bearer token when the tab has one). */
export function flameGraphHeaders(): Record<string, string> {
  const headers: Record<string, string> = { "content-type": "application/proto", "connect-protocol-version": "1" };
  const token = storedToken();
  if (token !== "") headers["authorization"] = `Bearer ${token}`;
  return headers;
}

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
