/** Synthetic profiles shaped like the agent's: deep Python stacks, hundreds per window. */
import { stacksFromList, type BatchInput, type ProfileInput, type StackInput, type FrameInput } from "@fleetprof/store";
import { seededRandom } from "@fleetprof/test/random";

export interface ProfileShape {
  service: string;
  version: string;
  pid: number;
  windowStartUnixMs: number;
  stacks?: number;
  depth?: number;
  seed?: number;
}

export function makeProfile(s: ProfileShape): ProfileInput {
  const r = seededRandom(s.seed ?? s.pid);
  const strings = ["MainThread", "worker-1"];
  const frames: FrameInput[] = [];
  const nStacks = s.stacks ?? 50;
  const depth = s.depth ?? 20;
  for (let f = 0; f < depth * 3; f++) {
    strings.push(`func_${String(f)}`, `/app/${s.service}/module_${String(f % 7)}.py`);
    frames.push({ function: strings.length - 2, file: strings.length - 1, line: 10 + f });
  }
  const stacks: StackInput[] = [];
  for (let i = 0; i < nStacks; i++) {
    const frameIds: number[] = [];
    const d = 1 + Math.floor(r() * depth);
    for (let j = 0; j < d; j++) frameIds.push(Math.floor(r() * frames.length));
    stacks.push({ frameIds, thread: i % 2, count: 1 + Math.floor(r() * 9) });
  }
  return {
    pid: s.pid,
    service: s.service,
    version: s.version,
    labels: { region: "eu" },
    mode: "cpu",
    windowStartUnixMs: s.windowStartUnixMs,
    captureId: "",
    strings,
    frames,
    stacks: stacksFromList(stacks),
  };
}

export function totalCount(batches: readonly BatchInput[]): number {
  let n = 0;
  for (const b of batches) for (const p of b.profiles) for (let i = 0; i < p.stacks.length; i++) n += p.stacks.count[i] as number;
  return n;
}
