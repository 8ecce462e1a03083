/**
 * speedscope's file format (https://www.speedscope.app/file-format-schema.json): one
 * "sampled" profile whose samples are the distinct stacks (frame indexes root first) and
 * whose weights are their counts.
 */
import type { StackProfile } from "@fleetprof/store";
import { UNKNOWN_FUNCTION } from "../profile/tree.js";

export interface SpeedscopeFile {
  $schema: "https://www.speedscope.app/file-format-schema.json";
  shared: { frames: { name: string; file?: string; line?: number }[] };
  profiles: {
    type: "sampled";
    name: string;
    unit: "none";
    startValue: number;
    endValue: number;
    samples: number[][];
    weights: number[];
  }[];
  name: string;
  activeProfileIndex: number;
  exporter: string;
}

export function toSpeedscope(profile: StackProfile, name: string): SpeedscopeFile {
  const frames: SpeedscopeFile["shared"]["frames"] = profile.frames.map((f) => ({
    name: f.function === "" ? UNKNOWN_FUNCTION : f.function,
    ...(f.file === "" ? {} : { file: f.file }),
    ...(f.line === 0 ? {} : { line: f.line }),
  }));
  let unknown = -1;
  const samples: number[][] = [];
  const weights: number[] = [];
  for (const stack of profile.stacks) {
    if (stack.count === 0) continue;
    if (stack.frames.length === 0) {
      if (unknown === -1) {
        unknown = frames.length;
        frames.push({ name: UNKNOWN_FUNCTION });
      }
      samples.push([unknown]);
    } else {
      samples.push(stack.frames);
    }
    weights.push(stack.count);
  }
  return {
    $schema: "https://www.speedscope.app/file-format-schema.json",
    shared: { frames },
    profiles: [{ type: "sampled", name, unit: "none", startValue: 0, endValue: profile.total, samples, weights }],
    name,
    activeProfileIndex: 0,
    exporter: "fleetprof",
  };
}

export function exportSpeedscope(profile: StackProfile, name: string): string {
  return JSON.stringify(toSpeedscope(profile, name));
}
