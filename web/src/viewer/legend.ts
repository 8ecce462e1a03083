/**
 * The legend of a flame graph: for a diff the colour scale (shrank → grew, in percentage
 * points) and both sides' samples and CPU time; for a plain graph what width and colour mean.
 */
import { diffScale } from "../flame/colours.js";
import type { FlameData } from "../flame/flame-data.js";
import { formatCount, formatCpu, formatPoints } from "../flame/format.js";

export interface LegendLabels {
  baseLabel: string;
  comparisonLabel: string;
  /** Samples per second; 0 leaves CPU time out. */
  rateHz: number;
}

function span(text: string, className = ""): HTMLSpanElement {
  const s = document.createElement("span");
  if (className !== "") s.className = className;
  s.textContent = text;
  return s;
}

export function legendItems(data: FlameData, labels: LegendLabels): HTMLElement[] {
  const cpu = (samples: number): string => (labels.rateHz > 0 ? ` (${formatCpu(samples, labels.rateHz)} CPU)` : "");
  if (data.diff) {
    const scaleMax = diffScale(data);
    const scale = span("", "scale");
    const bar = span("", "bar");
    bar.title = "colour = change in share of samples, comparison minus baseline";
    scale.append(span(`shrank ${formatPoints(-scaleMax)}`, "shrank"), bar, span(`grew ${formatPoints(scaleMax)}`, "grew"));
    const sides = [
      span(`baseline ${labels.baseLabel}: ${formatCount(data.baseSum)} samples${cpu(data.baseSum)}`),
      span(`comparison ${labels.comparisonLabel}: ${formatCount(data.sum)} samples${cpu(data.sum)}`),
    ];
    const oneSide = span("dashed outline: only on one side (+ new, − gone)", "one-side");
    return [scale, ...sides, span("width = mean share of both sides · colour = change in share"), oneSide];
  }
  return [span(`${formatCount(data.sum)} samples${cpu(data.sum)} · width = share of samples · colour = function`)];
}
