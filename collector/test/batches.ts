/**
 * Realistic SampleBatches for tests and the benchmark: per service a pool of deep Python stacks
 * sharing prefixes; each process window samples a few hundred of them with skewed counts.
 */
import { create } from "@bufbuild/protobuf";
import { FORMAT_VERSION, ProcessProfileSchema, ProfileMode, SampleBatchSchema, type ProcessProfile, type SampleBatch } from "@fleetprof/proto";

export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface ServicePool {
  frames: { fn: string; file: string; line: number }[];
  stacks: number[][];
}

const pools = new Map<string, ServicePool>();

function pool(service: string, nStacks = 2000): ServicePool {
  let p = pools.get(service);
  if (p !== undefined) return p;
  const r = rng(service.length * 7919 + service.charCodeAt(0));
  const frames: ServicePool["frames"] = [];
  for (let i = 0; i < 600; i++) {
    // about eight functions per module, as in real code
    const mod = `site-packages/${service}/pkg${String(Math.floor(i / 40))}/module_${String(Math.floor(i / 8))}.py`;
    frames.push({
      fn: `${["handle", "process", "_call", "run", "wrapper", "render", "query", "dispatch"][i % 8] ?? "f"}_${String(i)}`,
      file: `/usr/lib/python3.12/${mod}`,
      line: 1 + Math.floor(r() * 900),
    });
  }
  const stacks: number[][] = [];
  const trunk = Array.from({ length: 12 }, (_, i) => i);
  for (let s = 0; s < nStacks; s++) {
    const depth = 20 + Math.floor(r() * 40);
    const st = trunk.slice(0, 8 + Math.floor(r() * 4));
    while (st.length < depth) st.push(12 + Math.floor(r() * (frames.length - 12)));
    stacks.push(st);
  }
  p = { frames, stacks };
  pools.set(service, p);
  return p;
}

export interface ProfileOptions {
  service: string;
  version: string;
  pid: number;
  windowStartUnixMs: number;
  /** Distinct stacks in the window. Default 300. */
  stacks?: number;
  /** Samples in the window. Default 1000 (100 Hz × 10 s). */
  samples?: number;
  seed?: number;
  labels?: Record<string, string>;
}

export function makeProfile(o: ProfileOptions): ProcessProfile {
  const p = pool(o.service);
  const r = rng(o.seed ?? o.pid * 31 + o.windowStartUnixMs);
  const nStacks = Math.min(o.stacks ?? 300, p.stacks.length);
  const strings: string[] = ["MainThread"];
  const stringIdx = new Map<string, number>();
  const str = (s: string): number => {
    let i = stringIdx.get(s);
    if (i === undefined) {
      i = strings.length;
      strings.push(s);
      stringIdx.set(s, i);
    }
    return i;
  };
  const frames: { function: number; file: number; line: number }[] = [];
  const frameIdx = new Map<number, number>();
  const picked = new Set<number>();
  while (picked.size < nStacks) picked.add(Math.floor(r() ** 2 * p.stacks.length));
  const samples = Math.max(o.samples ?? 1000, nStacks);
  let left = samples;
  const stacks = [...picked].map((si, k) => {
    const frameIds = (p.stacks[si] as number[]).map((f) => {
      let j = frameIdx.get(f);
      if (j === undefined) {
        const fr = p.frames[f] as ServicePool["frames"][number];
        j = frames.length;
        frames.push({ function: str(fr.fn), file: str(fr.file), line: fr.line });
        frameIdx.set(f, j);
      }
      return j;
    });
    const remaining = nStacks - k;
    const c = remaining === 1 ? left : Math.max(1, Math.min(left - (remaining - 1), Math.round((samples / nStacks) * 2 * r())));
    left -= c;
    return { frameIds, thread: 0, threadId: 0n, count: BigInt(c) };
  });
  return create(ProcessProfileSchema, {
    pid: o.pid,
    processStartUnixMs: 1_700_000_000_000n,
    service: o.service,
    version: o.version,
    labels: o.labels ?? { region: "eu-west-1", pool: "web" },
    mode: ProfileMode.CPU,
    sampleRateHz: 100,
    windowStartUnixMs: BigInt(o.windowStartUnixMs),
    windowEndUnixMs: BigInt(o.windowStartUnixMs + 10_000),
    strings,
    frames,
    stacks,
    expectedSamples: BigInt(samples),
  });
}

export function makeBatch(batchId: string, host: string, profiles: ProcessProfile[]): SampleBatch {
  return create(SampleBatchSchema, { batchId, host, agentVersion: "test", formatVersion: FORMAT_VERSION, profiles, part: 0, parts: 1 });
}

export function batchTotal(b: SampleBatch): number {
  let n = 0;
  for (const p of b.profiles) for (const s of p.stacks) n += Number(s.count);
  return n;
}
