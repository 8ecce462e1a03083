/**
 * The interactive HTML flame graph: one self-contained file (styles, script and data inline,
 * nothing fetched), diff-aware. The viewer itself is plain browser code in cli/assets/.
 */
import { readFileSync } from "node:fs";
import type { FlameData } from "../flame-data.js";

export interface FlameHtmlOptions {
  /** Heading and window title, e.g. `{service="shop"}`. */
  title: string;
  /** One line under the heading: time range, data source. */
  subtitle?: string;
  /** Diff graphs: how to name the two sides in the legend. */
  baseLabel?: string;
  comparisonLabel?: string;
  /** Trusted HTML shown between the header and the graph (the version report's summary). */
  report?: string;
}

// Same relative path from src/render/html/ (tests, tsx) and dist/render/html/ (built).
const ASSETS = new URL("../../../assets/", import.meta.url);
let assets: { css: string; js: string } | undefined;

function loadAssets(): { css: string; js: string } {
  assets ??= {
    css: readFileSync(new URL("flame-viewer.css", ASSETS), "utf8"),
    js: readFileSync(new URL("flame-viewer.js", ASSETS), "utf8"),
  };
  return assets;
}

/** JSON that is safe inside a <script> element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${String(c.charCodeAt(0))};`);
}

export function renderFlameHtml(data: FlameData, options: FlameHtmlOptions): string {
  const { css, js } = loadAssets();
  const page = {
    title: options.title,
    subtitle: options.subtitle ?? "",
    baseLabel: options.baseLabel ?? "",
    comparisonLabel: options.comparisonLabel ?? "",
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
${css}</style>
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
<div id="tooltip" role="tooltip" hidden></div>
<script type="application/json" id="flame-data">${scriptJson(page)}</script>
<script>
${js}</script>
</body>
</html>
`;
}
