/**
 * @fleetprof/web on Node: where the built UI and viewer are, and the flame graph model the
 * CLI's renderers share with the browser (columns, layout, colours, number formats, the HTML
 * page). The browser code itself is bundled by scripts/build.ts.
 */
export { UI_DIR, viewerAssets, type ViewerAssets } from "./assets.js";
export {
  KIND_FRAME,
  KIND_ROOT,
  KIND_OTHER,
  PRESENT_BOTH,
  PRESENT_BASE_ONLY,
  PRESENT_COMPARISON_ONLY,
  nodeLabel,
  nodeLocation,
  shares,
  emptyFlameData,
  type FlameData,
} from "./flame/flame-data.js";
export { flameDataFrom } from "./flame/flame-data-from.js";
export { layoutFlame, type Layout } from "./flame/layout.js";
export { diffScale, frameColour, frameStyle, UNCHANGED, type FrameStyle } from "./flame/colours.js";
export { formatCount, formatCountOf, formatPercent, formatPoints, formatCpu, formatCores, DEFAULT_RATE_HZ } from "./flame/format.js";
export { describeCost, describeStatistics, formatInterval, formatRelative, sortName } from "./flame/diff-confidence.js";
export { functionStats, type FunctionStat } from "./flame/function-stats.js";
export { sandwichOf, type Sandwich } from "./flame/sandwich.js";
export { framePath, nodeAtPath } from "./flame/frame-path.js";
export { DEFAULT_FROM, resolveRange, type ResolvedRange } from "./ui/time-range.js";
export { escapeHtml, flameHtml, type FlameHtmlOptions, type FlamePage } from "./viewer/flame-html.js";
