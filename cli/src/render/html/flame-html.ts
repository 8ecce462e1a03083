/**
 * The interactive HTML flame graph: one self-contained file (styles, script and data inline,
 * nothing fetched), diff-aware. The page and its viewer come from @fleetprof/web, the same
 * renderer as the web UI's.
 */
import { escapeHtml, flameHtml, viewerAssets, type FlameData, type FlameHtmlOptions } from "@fleetprof/web";

export { escapeHtml, type FlameHtmlOptions };

export function renderFlameHtml(data: FlameData, options: FlameHtmlOptions): string {
  return flameHtml(data, options, viewerAssets());
}
