/**
 * Frame colours shared by every renderer (canvas, SVG, terminal). Plain graphs: warm colours
 * hashed from function and file, so a function keeps its colour across graphs. Diffs: red
 * grew, blue shrank, by change in share.
 */
import { KIND_OTHER, KIND_ROOT, shares, type FlameData } from "./flame-data.js";

const NEUTRAL = [233, 229, 223] as const;
const RED = [215, 38, 30] as const;
const BLUE = [36, 99, 209] as const;

/** Changes below this share (0.05 percentage points) count as unchanged. */
export const UNCHANGED = 0.0005;

/** FNV-1a of `name`, a NUL and `file`, without building the joined string. */
function hash(name: string, file: string): number {
  let h = 2166136261;
  for (let k = 0; k < name.length; k++) h = Math.imul(h ^ name.charCodeAt(k), 16777619);
  h = Math.imul(h, 16777619);
  for (let k = 0; k < file.length; k++) h = Math.imul(h ^ file.charCodeAt(k), 16777619);
  return h >>> 0;
}

function mix(a: readonly number[], b: readonly number[], t: number): string {
  return `rgb(${a.map((v, k) => Math.round(v + ((b[k] ?? 0) - v) * t)).join(",")})`;
}

/** The largest change in share over the graph, at least one percentage point. */
export function diffScale(data: FlameData): number {
  let max = 0;
  for (let i = 1; i < data.name.length; i++) {
    const { share, baseShare } = shares(data, i);
    max = Math.max(max, Math.abs(share - baseShare));
  }
  return Math.max(max, 0.01);
}

/** How a frame is filled, and whether its label reads better dark (pale fills) or white. */
export interface FrameStyle {
  fill: string;
  darkText: boolean;
}

/** The warm fills of plain graphs: 11 hues × 2 saturations × 3 lightnesses, made once each. */
const plainFills: FrameStyle[] = [];

/**
 * The style of a plain graph's frame of this function: one of 66, picked by a hash of name and
 * file, so a function keeps its colour across graphs. The same object every time (do not change
 * it): a renderer groups frames by it, and builds no colour string per function.
 */
function plainStyle(name: string, file: string): FrameStyle {
  const h = hash(name, file);
  const hue = h % 11;
  const saturation = (h >>> 8) % 2;
  const lightness = (h >>> 16) % 3;
  const at = (hue * 2 + saturation) * 3 + lightness;
  let style = plainFills[at];
  if (style === undefined) {
    style = { fill: `hsl(${String(8 + hue * 4)},${String(74 + saturation * 14)}%,${String(56 + lightness * 5)}%)`, darkText: true };
    plainFills[at] = style;
  }
  return style;
}

export function frameStyle(data: FlameData, i: number, scale: number): FrameStyle {
  const kind = data.kind[i];
  if (kind === KIND_OTHER) return { fill: "rgb(208,212,217)", darkText: true };
  if (kind === KIND_ROOT && !data.diff) return { fill: "rgb(206,206,206)", darkText: true };
  if (data.diff) {
    const { share, baseShare } = shares(data, i);
    const delta = share - baseShare;
    if (Math.abs(delta) < UNCHANGED) return { fill: mix(NEUTRAL, NEUTRAL, 0), darkText: true };
    // intensity follows the size of the change, so small drifts stay pale; 24 steps keep the
    // number of distinct fills small (a canvas draws each fill's frames in one batch)
    const eased = Math.max(1, Math.round(Math.pow(Math.min(1, Math.abs(delta) / scale), 0.6) * 24)) / 24;
    return { fill: mix(NEUTRAL, delta > 0 ? RED : BLUE, eased), darkText: eased <= 0.6 };
  }
  return plainStyle(data.strings[data.name[i] ?? 0] ?? "", data.strings[data.file[i] ?? 0] ?? "");
}

export function frameColour(data: FlameData, i: number, scale: number): string {
  return frameStyle(data, i, scale).fill;
}
