/**
 * What a truncated flame graph says above itself, in the web UI and in HTML flame graphs alike:
 * how many frames `max_nodes` folded into "smaller frames" nodes and their share of samples,
 * with a swatch of the hatching those nodes are drawn with, and how to ask for more detail.
 */
import type { FlameData } from "./flame-data.js";
import { formatCount, formatPercent } from "./format.js";

/** The banner's content, or nothing when no frame was folded; `moreDetail` says how to get more where the graph is shown. */
export function truncationNote(d: FlameData, moreDetail: string): (string | HTMLElement)[] {
  if (d.foldedNodes === 0) return [];
  const swatch = document.createElement("span");
  swatch.className = "fp-folded-swatch";
  return [
    `Truncated: ${formatCount(d.foldedNodes)} smaller frames (${formatPercent(d.sum > 0 ? d.foldedSamples / d.sum : 0)} of samples) are folded into `,
    swatch,
    ` “smaller frames” nodes. ${moreDetail}`,
  ];
}
