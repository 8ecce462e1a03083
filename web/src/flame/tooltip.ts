/**
 * A frame's tooltip: function, `file:line`, self and total as samples, share and CPU time; in
 * a diff both sides and the change in share, and whether the frame is on one side only.
 * Every string from a profile is set as text, never as HTML.
 */
import { KIND_OTHER, nodeLabel, nodeLocation, PRESENT_BASE_ONLY, PRESENT_COMPARISON_ONLY, shares, type FlameData } from "./flame-data.js";
import { UNCHANGED } from "./colours.js";
import { formatCount, formatCpu, formatPercent, formatPoints } from "./format.js";

export interface TooltipContext {
  /** Samples per second for CPU time; 0 leaves CPU time out. */
  rateHz: number;
  /** The zoomed node, to show a frame's share of it. */
  zoom: number;
  isInZoom: boolean;
}

function el(tag: string, className: string, text?: string): HTMLElement {
  const e = document.createElement(tag);
  if (className !== "") e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

/** Fills `tip` with node i's details. */
export function fillTooltip(tip: HTMLElement, data: FlameData, i: number, ctx: TooltipContext): void {
  tip.replaceChildren(el("div", "fn", nodeLabel(data, i)));
  const loc = nodeLocation(data, i);
  if (loc !== "") tip.append(el("div", "loc", loc));
  const table = document.createElement("table");
  const row = (cells: string[], head = false): void => {
    const tr = document.createElement("tr");
    for (const c of cells) tr.append(el(head ? "th" : "td", "", c));
    table.append(tr);
  };
  const cpu = (samples: number): string => (ctx.rateHz > 0 ? formatCpu(samples, ctx.rateHz) : "");
  const of = (v: number, sum: number): number => (sum > 0 ? v / sum : 0);
  const { share, baseShare } = shares(data, i);
  const self = data.self[i] ?? 0;
  const total = data.total[i] ?? 0;
  if (data.diff) {
    const baseSelf = data.baseSelf[i] ?? 0;
    const baseTotal = data.baseTotal[i] ?? 0;
    row(["", "baseline", "comparison", "change"], true);
    row(["total", formatCount(baseTotal), formatCount(total), ""]);
    row(["total %", formatPercent(baseShare), formatPercent(share), formatPoints(share - baseShare)]);
    row(["self", formatCount(baseSelf), formatCount(self), ""]);
    const bs = of(baseSelf, data.baseSum);
    const cs = of(self, data.sum);
    row(["self %", formatPercent(bs), formatPercent(cs), formatPoints(cs - bs)]);
    if (ctx.rateHz > 0) row(["CPU total", cpu(baseTotal), cpu(total), ""]);
  } else {
    const cells = (label: string, v: number): string[] =>
      ctx.rateHz > 0 ? [label, formatCount(v), formatPercent(of(v, data.sum)), cpu(v)] : [label, formatCount(v), formatPercent(of(v, data.sum))];
    row(cells("self", self));
    row(cells("total", total));
    const zoomTotal = data.total[ctx.zoom] ?? 0;
    if (ctx.zoom !== 0 && ctx.isInZoom && zoomTotal > 0) row(["of zoomed", "", formatPercent(total / zoomTotal)]);
  }
  tip.append(table);
  const note = (text: string, cls = ""): void => void tip.append(el("div", `note ${cls}`.trim(), text));
  if (data.diff) {
    const delta = share - baseShare;
    if (data.presence[i] === PRESENT_BASE_ONLY) note("only in the baseline", "down");
    else if (data.presence[i] === PRESENT_COMPARISON_ONLY) note("only in the comparison", "up");
    else if (Math.abs(delta) >= UNCHANGED) note(delta > 0 ? "grew" : "shrank", delta > 0 ? "up" : "down");
  }
  if (data.kind[i] === KIND_OTHER) note(`${formatCount(data.folded[i] ?? 0)} smaller frames folded by truncation (max nodes)`);
}

/** Places the tooltip next to the pointer, inside the window. */
export function placeTooltip(tip: HTMLElement, clientX: number, clientY: number): void {
  tip.hidden = false;
  const pad = 14;
  const w = tip.offsetWidth;
  const h = tip.offsetHeight;
  let left = clientX + pad;
  let top = clientY + pad;
  if (left + w > window.innerWidth - 4) left = Math.max(4, clientX - w - pad);
  if (top + h > window.innerHeight - 4) top = Math.max(4, clientY - h - pad);
  tip.style.left = `${String(left)}px`;
  tip.style.top = `${String(top)}px`;
}
