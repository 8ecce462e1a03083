/**
 * Where each node of a flame graph goes: depth, horizontal start and width as fractions of
 * the root, and the end of its subtree (pre-order makes every subtree a contiguous range,
 * so a renderer skips a too-narrow subtree in one step).
 *
 * Width is the node's share of samples. In a diff it is the mean of both sides' shares, so
 * frames that exist on only one side stay visible and children never overflow a parent.
 */
import { shares, type FlameData } from "./flame-data.js";

export interface Layout {
  depth: Int32Array;
  x: Float64Array;
  width: Float64Array;
  /** Exclusive end of each node's subtree. */
  end: Int32Array;
  maxDepth: number;
}

export function layoutFlame(data: FlameData): Layout {
  const n = data.name.length;
  const depth = new Int32Array(n);
  const x = new Float64Array(n);
  const width = new Float64Array(n);
  const end = new Int32Array(n);
  const cursor = new Float64Array(n);
  const bothSides = data.diff && data.sum > 0 && data.baseSum > 0;
  let maxDepth = 0;
  for (let i = 0; i < n; i++) {
    const { share, baseShare } = shares(data, i);
    width[i] = bothSides ? (share + baseShare) / 2 : data.diff && data.sum === 0 ? baseShare : share;
    end[i] = i + 1;
    const p = data.parent[i] ?? -1;
    if (p < 0 || p >= i) {
      depth[i] = 0;
      x[i] = 0;
    } else {
      depth[i] = (depth[p] ?? 0) + 1;
      x[i] = cursor[p] ?? 0;
      cursor[p] = (cursor[p] ?? 0) + (width[i] ?? 0);
    }
    cursor[i] = x[i] ?? 0;
    if ((depth[i] ?? 0) > maxDepth) maxDepth = depth[i] ?? 0;
  }
  for (let i = n - 1; i > 0; i--) {
    const p = data.parent[i] ?? -1;
    if (p >= 0 && p < i && (end[i] ?? 0) > (end[p] ?? 0)) end[p] = end[i] ?? 0;
  }
  return { depth, x, width, end, maxDepth };
}
