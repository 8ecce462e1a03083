/**
 * A flame graph as an indented tree for the terminal. Frames below `minShare` of the samples
 * are hidden and counted, so nothing disappears silently; diffs show both sides and the
 * change in share (red grew, blue shrank when colour is on).
 */
import {
  UNCHANGED,
  KIND_OTHER,
  nodeLabel,
  nodeLocation,
  PRESENT_BASE_ONLY,
  PRESENT_COMPARISON_ONLY,
  shares,
  formatCount,
  formatPercent,
  formatPoints,
  type FlameData,
} from "@fleetprof/web";
import { formatTable, paint } from "./table.js";

export interface TreeOptions {
  /** Hide frames whose share (either side, in a diff) is below this. Default 0.01. */
  minShare?: number;
  /** Deepest level shown. Default 64. */
  maxDepth?: number;
  colour?: boolean;
}

export function renderFlameTree(data: FlameData, options: TreeOptions = {}): string {
  const minShare = options.minShare ?? 0.01;
  const maxDepth = options.maxDepth ?? 64;
  const p = paint(options.colour ?? false);
  const n = data.name.length;
  if (n === 0 || (data.sum === 0 && data.baseSum === 0)) return "no samples matched this selector and time range\n";
  const children: number[][] = Array.from({ length: n }, () => []);
  for (let i = 1; i < n; i++) {
    const parent = data.parent[i] ?? -1;
    if (parent >= 0) children[parent]?.push(i);
  }
  const rows: string[][] = [];
  let hidden = 0;
  const visit = (i: number, prefix: string, connector: string, depth: number): void => {
    const { share, baseShare } = shares(data, i);
    const loc = nodeLocation(data, i);
    let name = `${prefix}${connector}${nodeLabel(data, i)}${loc === "" ? "" : p.dim(`  ${loc}`)}`;
    if (data.diff && data.presence[i] === PRESENT_BASE_ONLY) name += p.blue("  (only in baseline)");
    if (data.diff && data.presence[i] === PRESENT_COMPARISON_ONLY) name += p.red("  (only in comparison)");
    if (data.kind[i] === KIND_OTHER) name += p.dim("  (truncated)");
    const selfShare = data.sum > 0 ? (data.self[i] ?? 0) / data.sum : 0;
    if (data.diff) {
      const delta = share - baseShare;
      const change = Math.abs(delta) < UNCHANGED ? p.dim(formatPoints(delta)) : delta > 0 ? p.red(formatPoints(delta)) : p.blue(formatPoints(delta));
      rows.push([formatPercent(baseShare), formatPercent(share), change, name]);
    } else {
      rows.push([formatPercent(share), formatPercent(selfShare), formatCount(data.total[i] ?? 0), name]);
    }
    const kids = children[i] ?? [];
    const shown = kids.filter((c) => {
      const s = shares(data, c);
      return Math.max(s.share, s.baseShare) >= minShare;
    });
    const childPrefix = prefix + (connector === "" ? "" : connector === "└─ " ? "   " : "│  ");
    if (depth >= maxDepth && shown.length > 0) {
      rows.push(["", "", "", `${childPrefix}${p.dim(`… deeper frames hidden (--depth ${String(maxDepth)})`)}`]);
      return;
    }
    const dropped = kids.length - shown.length;
    shown.forEach((c, k) => visit(c, childPrefix, k === shown.length - 1 && dropped === 0 ? "└─ " : "├─ ", depth + 1));
    if (dropped > 0) {
      hidden += dropped;
      rows.push(["", "", "", `${childPrefix}└─ ${p.dim(`… ${String(dropped)} more below ${formatPercent(minShare)}`)}`]);
    }
  };
  visit(0, "", "", 0);
  const columns = data.diff
    ? [{ header: "BASE", right: true }, { header: "COMP", right: true }, { header: "CHANGE", right: true }, { header: "FUNCTION (total share per side)" }]
    : [{ header: "TOTAL", right: true }, { header: "SELF", right: true }, { header: "SAMPLES", right: true }, { header: "FUNCTION" }];
  let out = formatTable(columns, rows);
  const notes: string[] = [];
  if (hidden > 0) notes.push(`${formatCount(hidden)} subtrees below ${formatPercent(minShare)} hidden (--min-share to show more)`);
  if (data.foldedNodes > 0) {
    notes.push(
      `truncated by the server: ${formatCount(data.foldedNodes)} frames (${formatPercent(data.sum > 0 ? data.foldedSamples / data.sum : 0)} of samples) folded (--max-nodes to keep more)`,
    );
  }
  if (notes.length > 0) out += p.dim(notes.join("\n")) + "\n";
  return out;
}
