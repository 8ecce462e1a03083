import { ErrorCode, FleetprofError } from "@fleetprof/common";
import type { TtlConfig } from "./tables.js";

const IDENT = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** A database or cluster name as a quoted identifier; anything unusual is refused. */
export function quoteIdent(name: string, what = "name"): string {
  if (!IDENT.test(name)) {
    throw new FleetprofError(ErrorCode.InvalidConfig, `${what} "${name}" is not a plain identifier (letters, digits, _; at most 64)`);
  }
  return `\`${name}\``;
}

/** Durations in milliseconds to whole TTL seconds, checked. */
export function ttlFromMs(ms: { raw: number; rollup1m: number; rollup1h: number }): TtlConfig {
  const s = (v: number, what: string): number => {
    const n = Math.round(v / 1000);
    if (!Number.isSafeInteger(n) || n < 3600) throw new FleetprofError(ErrorCode.InvalidConfig, `${what} must be at least 1h`);
    return n;
  };
  return { rawSeconds: s(ms.raw, "raw-ttl"), rollup1mSeconds: s(ms.rollup1m, "rollup-1m-ttl"), rollup1hSeconds: s(ms.rollup1h, "rollup-1h-ttl") };
}
