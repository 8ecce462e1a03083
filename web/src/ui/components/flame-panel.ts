/**
 * The flame graph panel of the UI: the shared canvas renderer with a toolbar (search with
 * highlight, reset, flame/sandwich switch, export), the legend, a truncation notice and a
 * status line. Search, zoom and the sandwich's function are kept in the URL by the page.
 */
import type { FlameData } from "../../flame/flame-data.js";
import { framePath, nodeAtPath } from "../../flame/frame-path.js";
import { contentWidth, FlameView } from "../../flame/flame-view.js";
import { formatCount, formatPercent } from "../../flame/format.js";
import { truncationNote } from "../../flame/truncation.js";
import { legendItems } from "../../viewer/legend.js";
import { h, icon } from "../dom.js";
import { ICONS } from "../icons.js";
import { exportMenu, type ExportSource } from "./export-menu.js";
import { SandwichView } from "./sandwich-view.js";
import { exposeView } from "./test-handle.js";

/** How long a new graph may take before the one on screen is dimmed. */
const STALE_AFTER_MS = 150;

/** What the URL says about the panel. */
export interface FlameState {
  search: string;
  /** Zoomed frame as a path of names. */
  zoom: string;
  /** The sandwich's function, or "" for the flame graph. */
  fn: string;
}

export interface FlamePanelOptions {
  rateHz: number;
  baseLabel?: string;
  comparisonLabel?: string;
  exportSource: () => ExportSource | undefined;
  onState: (changes: Partial<FlameState>, replace: boolean) => void;
}

export class FlamePanel {
  readonly el: HTMLElement;
  private view: FlameView | undefined;
  private sandwich: SandwichView | undefined;
  private data: FlameData | undefined;
  private state: FlameState = { search: "", zoom: "", fn: "" };
  private readonly search = h("input", {
    type: "search",
    className: "flame-search",
    placeholder: "Search functions (regex)   /",
    spellcheck: false,
    autocomplete: "off",
    attrs: { "aria-label": "Search frames" },
  });
  private readonly searchInfo = h("span", { className: "search-info", attrs: { "aria-live": "polite" } });
  private readonly zoomInfo = h("span", { className: "zoom-info" });
  private readonly modeFlame = h("button", { type: "button", className: "seg active" }, icon(ICONS.flame), "Flame graph");
  private readonly modeSandwich = h(
    "button",
    { type: "button", className: "seg", title: "Callers and callees of one function (right-click a frame)" },
    icon(ICONS.layers),
    "Sandwich",
  );
  private readonly legend = h("div", { className: "flame-legend" });
  private readonly banner = h("div", { className: "banner", hidden: true, attrs: { role: "note" } });
  private readonly canvasBox = h("div", { className: "flame-canvas-box" });
  private readonly sandwichBox = h("div", { className: "sandwich", hidden: true });
  private readonly status = h("div", { className: "flame-status" });
  private timer = 0;
  private staleTimer = 0;
  private readonly onKey = (e: KeyboardEvent): void => this.key(e);

  constructor(
    private readonly tooltip: HTMLElement,
    private readonly options: FlamePanelOptions,
  ) {
    const reset = h("button", { type: "button", title: "Reset zoom and search (Esc)", on: { click: () => this.reset() } }, icon(ICONS.reset), "Reset");
    const toolbar = h(
      "div",
      { className: "flame-toolbar" },
      h("div", { className: "search-box" }, icon(ICONS.search), this.search),
      this.searchInfo,
      reset,
      h("div", { className: "segmented", attrs: { role: "group", "aria-label": "View" } }, this.modeFlame, this.modeSandwich),
      exportMenu(options.exportSource),
    );
    this.el = h("section", { className: "panel flame-panel" }, toolbar, this.legend, this.banner, this.zoomInfo, this.canvasBox, this.sandwichBox, this.status);
    this.search.addEventListener("input", () => {
      clearTimeout(this.timer);
      this.timer = window.setTimeout(() => this.options.onState({ search: this.search.value }, true), 150);
    });
    this.search.addEventListener("keydown", (e) => {
      if (e.key === "Enter") {
        clearTimeout(this.timer);
        this.options.onState({ search: this.search.value }, true);
      }
    });
    this.modeFlame.addEventListener("click", () => this.options.onState({ fn: "" }, false));
    this.modeSandwich.addEventListener("click", () => this.openSandwich(this.view?.zoom ?? 0));
    document.addEventListener("keydown", this.onKey);
  }

  /** The graph on screen. */
  currentData(): FlameData | undefined {
    return this.data;
  }

  /** Samples per second for CPU time (takes effect with the next graph). */
  setRate(rateHz: number): void {
    this.options.rateHz = rateHz;
  }

  /** How the legend names a diff's sides (takes effect with the next graph). */
  setLabels(baseLabel: string, comparisonLabel: string): void {
    this.options.baseLabel = baseLabel;
    this.options.comparisonLabel = comparisonLabel;
  }

  /**
   * Shows `loading` in place of the panel when it shows nothing yet, or dims the graph on
   * screen while a new one is computed (the page keeps its layout). The dimming waits
   * STALE_AFTER_MS: a quick answer replaces the graph without it, and the browser does not
   * repaint the whole panel twice (on two cores, time taken from the server computing the answer).
   */
  showLoading(slot: HTMLElement, loading: HTMLElement): void {
    clearTimeout(this.staleTimer);
    if (this.view !== undefined && slot.contains(this.el)) this.staleTimer = window.setTimeout(() => this.el.classList.add("stale"), STALE_AFTER_MS);
    else slot.replaceChildren(loading);
  }

  /** Shows a new graph (the old one's zoom path and search are applied to it). */
  setData(data: FlameData, state: FlameState): void {
    // The width first, while the page's layout is still clean: measuring after the changes below would force a style and layout pass of the whole page.
    const width = this.view !== undefined && this.el.isConnected && !this.canvasBox.hidden ? contentWidth(this.canvasBox) : undefined;
    clearTimeout(this.staleTimer);
    this.el.classList.remove("stale");
    this.view?.destroy();
    this.data = data;
    // one canvas for every graph the panel shows: its bitmap is reused when the size stays
    let canvas = this.canvasBox.querySelector("canvas");
    if (canvas === null) {
      canvas = h("canvas", {
        className: "fp-canvas",
        attrs: { role: "img", "aria-label": "Flame graph: hover for details, click to zoom, right-click for callers and callees" },
      });
      this.canvasBox.append(canvas);
    }
    this.legend.replaceChildren(
      ...legendItems(data, { baseLabel: this.options.baseLabel ?? "", comparisonLabel: this.options.comparisonLabel ?? "", rateHz: this.options.rateHz }),
    );
    this.showTruncation(data);
    const view = new FlameView(canvas, data, {
      rateHz: this.options.rateHz,
      tooltip: this.tooltip,
      width,
      onZoom: (z) => {
        this.zoomInfo.textContent =
          z === 0 ? "" : `Zoomed into ${view.label(z)} · ${formatPercent(view.layout.width[z] ?? 0)} of the graph · click it again to zoom out, Esc to reset`;
        const path = framePath(data, z);
        if (path !== this.state.zoom) {
          this.state.zoom = path;
          this.options.onState({ zoom: path }, true);
        }
      },
      onFrameMenu: (i) => this.openSandwich(i),
      onDraw: (_drawn, skipped) => {
        this.status.textContent = `${formatCount(data.name.length)} frames${skipped > 0 ? ` · ${formatCount(skipped)} too narrow to draw at this zoom` : ""}${data.source !== "" ? ` · data: ${data.source}` : ""}`;
      },
    });
    this.view = view;
    exposeView("main", view);
    this.state = { search: "", zoom: "", fn: "" };
    this.apply(state);
    performance.mark("flame-drawn");
  }

  /** Applies the URL's state without fetching anything. */
  apply(state: FlameState): void {
    const view = this.view;
    const data = this.data;
    if (view === undefined || data === undefined) return;
    if (state.search !== this.state.search) {
      if (document.activeElement !== this.search) this.search.value = state.search;
      const r = view.search(state.search);
      this.search.classList.toggle("bad", r?.literal === true);
      this.searchInfo.textContent =
        r === undefined ? "" : r.count === 0 ? "no match" : `${formatCount(r.count)} frame${r.count === 1 ? "" : "s"} · ${formatPercent(r.covered)} of samples`;
    }
    if (state.zoom !== this.state.zoom) {
      this.state.zoom = state.zoom;
      view.setZoom(nodeAtPath(data, view.layout, state.zoom), false);
    }
    if (state.fn !== this.state.fn) this.showSandwich(state.fn);
    this.state = { ...state };
  }

  focusSearch(): void {
    this.search.focus();
    this.search.select();
  }

  reset(): void {
    this.search.value = "";
    this.options.onState({ search: "", zoom: "", fn: "" }, false);
  }

  destroy(): void {
    clearTimeout(this.staleTimer);
    document.removeEventListener("keydown", this.onKey);
    this.view?.destroy();
    this.sandwich?.destroy();
  }

  private key(e: KeyboardEvent): void {
    const typing = e.target instanceof HTMLInputElement || e.target instanceof HTMLTextAreaElement;
    if (e.key === "/" && !typing) {
      e.preventDefault();
      this.focusSearch();
    } else if (e.key === "Escape" && (!typing || e.target === this.search)) {
      this.reset();
      this.search.blur();
    }
  }

  private openSandwich(i: number): void {
    const data = this.data;
    if (data === undefined) return;
    const name = i > 0 ? (data.strings[data.name[i] ?? 0] ?? "") : "";
    if (name === "") {
      this.zoomInfo.textContent = "Sandwich: right-click a frame, or pick a function in the table, to see its callers and callees.";
      return;
    }
    this.options.onState({ fn: name }, false);
  }

  private showSandwich(fn: string): void {
    this.sandwich?.destroy();
    this.sandwich = undefined;
    const sandwich = fn !== "" && this.view !== undefined && this.data !== undefined;
    this.modeFlame.classList.toggle("active", !sandwich);
    this.modeSandwich.classList.toggle("active", sandwich);
    this.canvasBox.hidden = sandwich;
    this.sandwichBox.hidden = !sandwich;
    if (!sandwich || this.view === undefined || this.data === undefined) return;
    const at = this.view.find(fn);
    this.sandwich = new SandwichView(this.sandwichBox, this.data, this.view.layout, at, { rateHz: this.options.rateHz, tooltip: this.tooltip, fn });
  }

  private showTruncation(data: FlameData): void {
    const note = truncationNote(data, "Add nodes=20000 to the URL for more detail.");
    this.banner.hidden = note.length === 0;
    this.banner.replaceChildren(...note);
  }
}
