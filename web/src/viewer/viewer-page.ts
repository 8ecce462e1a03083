/**
 * The script of an HTML flame graph: reads the flame graph embedded in the page and draws it
 * with the shared renderer, with search, zoom, a legend, a truncation banner and the
 * functions table. `window.fleetprofViewer` is a small read-only handle for tests and for
 * people poking in the console.
 */
import { KIND_OTHER, nodeLocation, type FlameData } from "../flame/flame-data.js";
import { FlameView } from "../flame/flame-view.js";
import { formatCount, formatPercent } from "../flame/format.js";
import { truncationNote } from "../flame/truncation.js";
import { exactFunction } from "../flame/search.js";
import type { FlamePage } from "./flame-html.js";
import { legendItems } from "./legend.js";
import { fillFunctionTable } from "./function-table.js";

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (el === null) throw new Error(`the page has no #${id}`);
  return el as T;
};

/** The banner saying how much `max_nodes` folded into "smaller frames" nodes. */
function showTruncation(d: FlameData): void {
  const note = truncationNote(d, "Ask for more detail with --max-nodes.");
  if (note.length === 0) return;
  const banner = $("truncation");
  banner.hidden = false;
  banner.append(...note);
}

/** The canvas renderer, with the zoom line and the status line it keeps up to date. */
function flameView(page: FlamePage): FlameView {
  const d = page.data;
  const status = $("status");
  const view: FlameView = new FlameView($<HTMLCanvasElement>("flame"), d, {
    rateHz: page.rateHz,
    tooltip: $("tooltip"),
    onZoom: (z) => {
      $("zoom-info").textContent = z === 0 ? "" : `zoomed into ${view.label(z)} (${formatPercent(view.layout.width[z] ?? 0)})`;
    },
    onDraw: (_drawn, skipped) => {
      status.textContent =
        `${formatCount(d.name.length)} frames` +
        (skipped > 0 ? ` · ${formatCount(skipped)} too narrow to draw at this zoom (click a frame to zoom in)` : "") +
        (d.source !== "" ? ` · data: ${d.source}` : "");
    },
  });
  return view;
}

/** The search box (typing, Enter), the reset button and the keys `/` and Esc; returns the search. */
function wireSearch(view: FlameView): (query: string) => void {
  const input = $<HTMLInputElement>("search");
  const search = (query: string): void => {
    const result = view.search(query);
    input.classList.toggle("bad", result?.literal === true);
    $("search-info").textContent =
      result === undefined
        ? ""
        : result.count === 0
          ? "no match"
          : `${formatCount(result.count)} frame${result.count === 1 ? "" : "s"} match · ${formatPercent(result.covered)} of samples`;
  };
  const reset = (): void => {
    input.value = "";
    search("");
    view.setZoom(0);
  };
  let timer = 0;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = window.setTimeout(() => search(input.value), 120);
  });
  input.addEventListener("keydown", (e) => {
    if (e.key === "Enter") {
      clearTimeout(timer);
      search(input.value);
    }
  });
  $("reset").addEventListener("click", reset);
  document.addEventListener("keydown", (e) => {
    if (e.key === "/" && document.activeElement !== input) {
      e.preventDefault();
      input.focus();
    } else if (e.key === "Escape") reset();
  });
  return (query) => {
    input.value = query;
    search(query);
  };
}

/** `window.fleetprofViewer`: a read-only handle for tests and the console. */
function exposeViewer(view: FlameView, d: FlameData): void {
  Object.assign(window, {
    fleetprofViewer: {
      nodeCount: d.name.length,
      find: (name: string) => view.find(name),
      box: (i: number) => view.box(i),
      state: () => ({ zoom: view.label(view.zoom), zoomIndex: view.zoom, matches: view.matchCount, drawn: view.drawn, skipped: view.skipped }),
      colour: (i: number) => view.colour(i),
      label: (i: number) => view.label(i),
      location: (i: number) => (d.kind[i] === KIND_OTHER ? "" : nodeLocation(d, i)),
      longestDrawMs: () => view.longestDrawMs,
      zoomTo: (i: number) => view.setZoom(i),
      drawnFrames: (minWidth: number) => view.drawnFrames(minWidth),
    },
  });
}

function start(): void {
  const page = JSON.parse($("flame-data").textContent ?? "{}") as FlamePage;
  const d = page.data;
  document.title = page.title;
  $("title").textContent = page.title;
  $("subtitle").textContent = page.subtitle;
  $("legend").append(...legendItems(d, page));
  showTruncation(d);
  if (d.name.length === 0 || (d.sum === 0 && d.baseSum === 0)) {
    $("chart").hidden = true;
    $("empty").hidden = false;
    $("empty").textContent = "No samples matched this selector and time range.";
  }
  const view = flameView(page);
  const searchFor = wireSearch(view);
  const shown = fillFunctionTable($<HTMLTableElement>("fn-table"), $("fn-title"), d, view.layout, (name) => {
    searchFor(exactFunction(name));
    window.scrollTo({ top: 0 });
  });
  if (shown === 0) $("functions").hidden = true;
  exposeViewer(view, d);
}

start();
