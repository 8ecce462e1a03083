/**
 * An HTML flame graph: one self-contained page (styles, script and data inline, nothing
 * fetched) that the viewer script draws. The CLI writes it with `-o file.html`; the web UI
 * offers it as a download. Both pass the bundled viewer (`viewerAssets()` on Node, fetched
 * from the UI's server in the browser).
 */
import type { FlameData } from "../flame/flame-data.js";

export interface FlameHtmlOptions {
  /** Heading and window title, e.g. `{service="shop"}`. */
  title: string;
  /** One line under the heading: time range, data source. */
  subtitle?: string;
  /** Diff graphs: how to name the two sides in the legend. */
  baseLabel?: string;
  comparisonLabel?: string;
  /** Samples per second, for CPU time in tooltips (default 100, the agents' default). */
  rateHz?: number;
  /** Trusted HTML shown between the header and the graph (the version report's summary). */
  report?: string;
}

/** What the viewer reads from the page's `flame-data` script element. */
export interface FlamePage {
  title: string;
  subtitle: string;
  baseLabel: string;
  comparisonLabel: string;
  rateHz: number;
  data: FlameData;
}

/** JSON that is safe inside a <script> element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${String(c.charCodeAt(0))};`);
}

/** Text that is safe inside a <script> or <style> element (no closing tag). */
function rawText(text: string, tag: "script" | "style"): string {
  return text.replace(new RegExp(`</(${tag})`, "gi"), "<\\/$1");
}

export function flameHtml(data: FlameData, options: FlameHtmlOptions, viewer: { js: string; css: string }): string {
  const page: FlamePage = {
    title: options.title,
    subtitle: options.subtitle ?? "",
    baseLabel: options.baseLabel ?? "",
    comparisonLabel: options.comparisonLabel ?? "",
    rateHz: options.rateHz ?? 100,
    data,
  };
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="fleetprof">
<title>${escapeHtml(options.title)}</title>
<style>
${rawText(viewer.css, "style")}</style>
</head>
<body>
<header>
  <h1 id="title"></h1>
  <div id="subtitle"></div>
  <div id="controls">
    <input id="search" type="search" placeholder="Search (regex), press /" aria-label="Search frames" autocomplete="off" spellcheck="false">
    <span id="search-info" aria-live="polite"></span>
    <button id="reset" type="button" title="Reset zoom and search (Esc)">Reset</button>
    <span id="zoom-info" aria-live="polite"></span>
  </div>
  <div id="legend"></div>
  <div id="truncation" class="banner" role="note" hidden></div>
</header>
${options.report ?? ""}<main id="chart"><canvas id="flame" role="img" aria-label="Flame graph: hover for details, click to zoom"></canvas></main>
<div id="empty" hidden></div>
<div id="status"></div>
<section id="functions"><h2 id="fn-title"></h2><table id="fn-table"></table><p class="hint">Click a row to highlight the function in the graph.</p></section>
<div id="tooltip" class="fp-tooltip" role="tooltip" hidden></div>
<script type="application/json" id="flame-data">${scriptJson(page)}</script>
<script>
${rawText(viewer.js, "script")}</script>
</body>
</html>
`;
}
