/**
 * A static SVG flame graph (icicle: root on top) with a `<title>` tooltip per frame. Frames
 * narrower than half a pixel are left out and counted in the footer; truncation by the server
 * is stated in the header.
 */
import {
  diffScale,
  frameColour,
  KIND_OTHER,
  nodeLabel,
  nodeLocation,
  shares,
  formatCount,
  formatPercent,
  formatPoints,
  layoutFlame,
  type FlameData,
} from "@fleetprof/web";

export interface SvgOptions {
  title: string;
  subtitle?: string;
  /** Pixels. Default 1200. */
  width?: number;
}

const ROW = 17;
const CHAR_W = 7;
const MIN_PX = 0.5;

function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${String(c.charCodeAt(0))};`);
}

export function renderFlameSvg(data: FlameData, options: SvgOptions): string {
  const width = options.width ?? 1200;
  const pad = 10;
  const chartW = width - 2 * pad;
  const layout = layoutFlame(data);
  const scale = data.diff ? diffScale(data) : 0;
  const headerH = 58 + (data.foldedNodes > 0 ? 18 : 0);
  const height = headerH + (layout.maxDepth + 1) * ROW + 30;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${String(width)}" height="${String(height)}" viewBox="0 0 ${String(width)} ${String(height)}" font-family="ui-monospace, Menlo, Consolas, monospace" font-size="12">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="${String(pad)}" y="22" font-size="16" font-family="system-ui, sans-serif" font-weight="600">${esc(options.title)}</text>`,
    `<text x="${String(pad)}" y="40" fill="#59636e" font-family="system-ui, sans-serif">${esc(options.subtitle ?? "")}</text>`,
  );
  const legend = data.diff
    ? `red = grew, blue = shrank (change in share of samples, up to ${formatPoints(scale)}) · baseline ${formatCount(data.baseSum)} samples, comparison ${formatCount(data.sum)} samples`
    : `${formatCount(data.sum)} samples · width = share of samples`;
  out.push(`<text x="${String(pad)}" y="54" fill="#59636e" font-family="system-ui, sans-serif" font-size="11">${esc(legend)}</text>`);
  if (data.foldedNodes > 0) {
    const share = data.sum > 0 ? data.foldedSamples / data.sum : 0;
    out.push(
      `<text x="${String(pad)}" y="72" fill="#7d4e00" font-family="system-ui, sans-serif" font-size="11">${esc(`Truncated: ${formatCount(data.foldedNodes)} smaller frames (${formatPercent(share)} of samples) folded into grey "smaller frames" nodes; ask for more with --max-nodes.`)}</text>`,
    );
  }
  let skipped = 0;
  const n = data.name.length;
  for (let i = 0; i < n;) {
    const pw = (layout.width[i] ?? 0) * chartW;
    if (pw < MIN_PX) {
      skipped += (layout.end[i] ?? i + 1) - i;
      i = layout.end[i] ?? i + 1;
      continue;
    }
    const px = pad + (layout.x[i] ?? 0) * chartW;
    const py = headerH + (layout.depth[i] ?? 0) * ROW;
    const label = nodeLabel(data, i);
    const loc = nodeLocation(data, i);
    const { share, baseShare } = shares(data, i);
    const tip = data.diff
      ? `${label}${loc === "" ? "" : ` (${loc})`}\nbaseline: total ${formatCount(data.baseTotal[i] ?? 0)} (${formatPercent(baseShare)}), self ${formatCount(data.baseSelf[i] ?? 0)}\ncomparison: total ${formatCount(data.total[i] ?? 0)} (${formatPercent(share)}), self ${formatCount(data.self[i] ?? 0)}\nchange: ${formatPoints(share - baseShare)}`
      : `${label}${loc === "" ? "" : ` (${loc})`}\nself ${formatCount(data.self[i] ?? 0)} (${formatPercent(data.sum > 0 ? (data.self[i] ?? 0) / data.sum : 0)}), total ${formatCount(data.total[i] ?? 0)} (${formatPercent(share)})`;
    const w = pw > 2 ? pw - 1 : pw;
    out.push(
      `<g><title>${esc(tip)}</title><rect x="${px.toFixed(2)}" y="${String(py)}" width="${w.toFixed(2)}" height="${String(ROW - 1)}" fill="${frameColour(data, i, scale)}"${data.kind[i] === KIND_OTHER ? ' stroke="#8c959f" stroke-dasharray="3 2"' : ""}/>`,
    );
    const room = Math.floor((pw - 6) / CHAR_W);
    if (room >= 3) {
      const text = label.length > room ? `${label.slice(0, room - 1)}…` : label;
      out.push(`<text x="${(px + 3).toFixed(2)}" y="${String(py + ROW - 5)}">${esc(text)}</text>`);
    }
    out.push("</g>");
    i++;
  }
  out.push(
    `<text x="${String(pad)}" y="${String(height - 10)}" fill="#59636e" font-family="system-ui, sans-serif" font-size="11">${esc(`${formatCount(n)} frames${skipped > 0 ? `, ${formatCount(skipped)} too narrow to draw (use the HTML output to zoom)` : ""}`)}</text>`,
    "</svg>",
  );
  return out.join("\n");
}
