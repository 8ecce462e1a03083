/**
 * Synthetic but realistic profiles of a fleet, for diff statistics tests and the calibration
 * benchmark: processes serving a request mix, sampled at a rate in 10 s windows. What varies
 * is what varies in production:
 *   - how busy a process is, minute to minute (a gamma-distributed load around `busy`);
 *   - the request mix, minute to minute (each stack's weight times gamma noise, CV ≈ 18 %);
 *   - sampling noise: each stack's count in a window is Poisson around its expected samples.
 * Every process runs the same code and mix (two "copies" of a version differ only by chance),
 * unless `processEffect` gives each process a mix of its own (each stack's weight times a
 * per-process gamma factor with that coefficient of variation: hosts serving different
 * customers, say), and a planted change multiplies chosen stacks' weights: more work per request at the same
 * load, so the process uses more CPU too (2× a stack holding 25 % of the time is +25 % CPU).
 */
import type { BatchInput, ProfileInput } from "@fleetprof/store";
import { stacksFromList } from "@fleetprof/store";
import { seededRandom } from "./random.js";

/** A web service's stacks and their share of busy time (sums to 100): compute_prices holds 25 %. */
export const SHOP_MIX: Readonly<Record<string, number>> = {
  "main;serve;handle_request;compute_prices": 25,
  "main;serve;handle_request;query_db;execute;socket_recv": 18,
  "main;serve;handle_request;query_db;execute": 6,
  "main;serve;handle_request;render;template;escape": 10,
  "main;serve;handle_request;render;template": 5,
  "main;serve;handle_request;parse_body;json_decode": 8,
  "main;serve;handle_request;auth;check_token;crypto_verify": 6,
  "main;serve;handle_request;log;format_record": 3,
  "main;serve;handle_request": 2,
  "main;serve;accept": 5,
  "main;serve;handle_request;render;template;crunch": 3,
  "main;gc;collect": 4,
  "main;serve;handle_request;cache;lookup": 3,
  "main;serve;handle_request;cache;lookup;hash_key": 1.5,
  "main;serve;handle_request;metrics;observe": 0.5,
};

/** A release of the shop: compute_prices does twice the work, apply_tax_rules is new, hash_key is gone. */
export const SHOP_RELEASE: Pick<FleetSpec, "mix" | "scale"> = {
  mix: { ...SHOP_MIX, "main;serve;handle_request;apply_tax_rules": 4 },
  scale: { "main;serve;handle_request;compute_prices": 2, "main;serve;handle_request;cache;lookup;hash_key": 0 },
};

export interface FleetSpec {
  service: string;
  version: string;
  /** One process per host. */
  hosts: readonly string[];
  /** Whole minute (unix ms) of the first window. */
  startMs: number;
  minutes: number;
  mix?: Readonly<Record<string, number>>;
  /** Stack → factor on its weight (a planted change). */
  scale?: Readonly<Record<string, number>>;
  rateHz?: number;
  /** Coefficient of variation of a per-process factor on each stack's weight (0: none). */
  processEffect?: number;
  /** Average share of a core busy before any `scale`, [0, 1]. */
  busy?: number;
  mode?: string;
  seed: number;
  labels?: Readonly<Record<string, string>>;
}

function normal(rnd: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
}

/** Gamma(shape, 1) for shape ≥ 1 (Marsaglia–Tsang). */
function gamma(rnd: () => number, shape: number): number {
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = normal(rnd);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = rnd();
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}

function poisson(rnd: () => number, lambda: number): number {
  if (lambda <= 0) return 0;
  if (lambda > 40) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * normal(rnd)));
  const limit = Math.exp(-lambda);
  let k = 0;
  let p = rnd();
  while (p > limit) {
    p *= rnd();
    k++;
  }
  return k;
}

/** One process's window: stacks "a;b;c" → count, frames in `<service>.py`. */
function windowProfile(spec: FleetSpec, pid: number, startMs: number, stacks: Record<string, number>): ProfileInput {
  const strings = ["MainThread", `${spec.service.replace(/[^a-z0-9_]/gi, "_")}.py`];
  const at = new Map<string, number>();
  const frames: { function: number; file: number; line: number }[] = [];
  const frame = (name: string): number => {
    let f = at.get(name);
    if (f === undefined) {
      f = frames.push({ function: strings.push(name) - 1, file: 1, line: 10 + frames.length }) - 1;
      at.set(name, f);
    }
    return f;
  };
  const list = Object.entries(stacks)
    .filter(([, c]) => c > 0)
    .map(([path, count]) => ({ frameIds: path.split(";").map(frame), thread: 0, count }));
  return {
    pid,
    service: spec.service,
    version: spec.version,
    labels: { ...spec.labels },
    mode: spec.mode ?? "cpu",
    windowStartUnixMs: startMs,
    windowEndUnixMs: startMs + 10_000,
    sampleRateHz: spec.rateHz ?? 100,
    captureId: "",
    strings,
    frames,
    stacks: stacksFromList(list),
  };
}

/** The fleet's batches: one per host and minute (six 10 s windows). */
export function fleetBatches(spec: FleetSpec): BatchInput[] {
  const rnd = seededRandom(spec.seed);
  const base = Object.entries(spec.mix ?? SHOP_MIX);
  const sum = base.reduce((a, [, w]) => a + w, 0);
  const mix = base.map(([path, w]) => [path, w * (spec.scale?.[path] ?? 1)] as const);
  const rate = spec.rateHz ?? 100;
  const busy = spec.busy ?? 0.5;
  const batches: BatchInput[] = [];
  const cv = spec.processEffect ?? 0;
  spec.hosts.forEach((host, h) => {
    const pid = 1000 + h;
    const own = mix.map(() => (cv > 0 ? gamma(rnd, 1 / (cv * cv)) * cv * cv : 1));
    for (let m = 0; m < spec.minutes; m++) {
      const load = (busy * gamma(rnd, 20)) / 20;
      const weights = mix.map(([path, w], i) => [path, ((w / sum) * (own[i] as number) * gamma(rnd, 30)) / 30] as const);
      const profiles: ProfileInput[] = [];
      for (let w = 0; w < 6; w++) {
        const stacks: Record<string, number> = {};
        for (const [path, p] of weights) stacks[path] = poisson(rnd, rate * 10 * load * p);
        profiles.push(windowProfile(spec, pid, spec.startMs + m * 60_000 + w * 10_000, stacks));
      }
      batches.push({ batchId: `${spec.service}-${spec.version}-${host}-${String(spec.seed)}-${String(m)}`, host, profiles });
    }
  });
  return batches;
}
