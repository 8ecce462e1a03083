/**
 * Collapsed stacks, the input of flamegraph.pl and inferno: one line per distinct stack,
 * frames root first separated by ";", then a space and the count. A frame is written
 * `function (file)`; ";" and line breaks inside names are replaced so a line stays one stack.
 */
import type { StackProfile } from "@fleetprof/store";
import { UNKNOWN_FUNCTION } from "../profile/tree.js";

function clean(text: string): string {
  return text.replace(/;/g, ":").replace(/[\r\n]+/g, " ");
}

export function frameLabel(fn: string, file: string): string {
  const name = clean(fn === "" ? UNKNOWN_FUNCTION : fn);
  return file === "" ? name : `${name} (${clean(file)})`;
}

export function exportCollapsed(profile: StackProfile): string {
  const labels = profile.frames.map((f) => frameLabel(f.function, f.file));
  const lines = new Map<string, number>();
  for (const stack of profile.stacks) {
    if (stack.count === 0) continue;
    const key = stack.frames.length === 0 ? UNKNOWN_FUNCTION : stack.frames.map((f) => labels[f]).join(";");
    lines.set(key, (lines.get(key) ?? 0) + stack.count);
  }
  return [...lines.keys()]
    .sort()
    .map((k) => `${k} ${String(lines.get(k))}\n`)
    .join("");
}
