/**
 * The flame graph renderer: an icicle (root on top, or at the bottom for a sandwich's callers)
 * drawn on a canvas. Used by the web UI and inlined into every HTML flame graph.
 *
 * Fast at 100 000 nodes: pre-order columns make every subtree a contiguous range, so a subtree
 * narrower than half a pixel or outside the view is skipped in one step; styles are computed
 * once per node on first draw (a plain graph's once per function, from 66 shared styles, colours.ts); labels are cut to the room a monospace font leaves. Zooming
 * animates the visible range over a few frames (not with prefers-reduced-motion).
 */
import { frameStyle, diffScale, type FrameStyle } from "./colours.js";
import { KIND_FRAME, KIND_OTHER, KIND_ROOT, nodeLabel, PRESENT_BASE_ONLY, PRESENT_COMPARISON_ONLY, type FlameData } from "./flame-data.js";
import { layoutFlame, type Layout } from "./layout.js";
import { searchFrames, type SearchResult } from "./search.js";
import { fillTooltip, placeTooltip } from "./tooltip.js";

export const ROW = 18;
const MIN_PX = 0.4;
const FONT = "12px ui-monospace, SFMono-Regular, Menlo, Consolas, 'Liberation Mono', monospace";
const MATCH = "#c026d3";
const ZOOM_MS = 200;
const MAX_CANVAS_PX = 30_000;
/** The fill of folded ("smaller frames") nodes: drawn hatched. */
const FOLDED: FrameStyle = { fill: "", darkText: true };

export interface FlameViewOptions {
  /** Samples per second, for CPU time in tooltips; 0 leaves it out. */
  rateHz: number;
  /** Root at the bottom, callers above it (a sandwich's upper half). */
  inverted?: boolean;
  /** The element tooltips are drawn into (position: fixed). */
  tooltip: HTMLElement;
  /** After the zoomed node changes. */
  onZoom?: (i: number) => void;
  /** Right click on a frame (e.g. open its sandwich). */
  onFrameMenu?: (i: number) => void;
  /** After each draw: nodes drawn and nodes too narrow to draw. */
  onDraw?: (drawn: number, skipped: number) => void;
  /**
   * The canvas container's width inside its padding, when the caller measured it just now
   * (before changing the page): the first draw then forces no style and layout pass.
   */
  width?: number | undefined;
}

/** Where a node is drawn, in viewport coordinates. */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export class FlameView {
  readonly layout: Layout;
  /** The zoomed node (0: the whole graph). */
  zoom = 0;
  matchCount = 0;
  drawn = 0;
  skipped = 0;
  /** Longest single draw so far, ms. */
  longestDrawMs = 0;
  private hover = -1;
  private matches: Uint8Array | null = null;
  /** Per node, an index into `fills` (-1: not computed yet). */
  private readonly styleOf: Int16Array;
  private readonly fills: FrameStyle[] = [];
  private readonly fillIndex = new Map<string, number>();
  /** Fill index by style object: a plain graph's styles are 66 shared objects (colours.ts). */
  private readonly fillOfStyle = new Map<FrameStyle, number>();
  /** Plain graphs: fill index by function (name × file), so each function's colour is hashed once. */
  private readonly byFunction = new Map<number, number>();
  /** The last draw, in drawing order: node, x from and to, batch key. */
  private drawnNode = new Int32Array(0);
  private drawnX = new Float64Array(0);
  private drawnEnd = new Float64Array(0);
  private drawnKey = new Int32Array(0);
  private readonly diffScale: number;
  private readonly ctx: CanvasRenderingContext2D;
  private cssWidth = 0;
  private cssHeight = 0;
  private charW = 7.2;
  /**
   * Per depth, flat [node, x0, x1, …] of what the last draw put there, left to right; made from
   * the drawn columns when the pointer first asks after a draw (null until then), not by the draw.
   */
  private rows: number[][] | null = null;
  private view = { x0: 0, w: 1 };
  private frame = 0;
  private hatch: CanvasPattern | string = "#d0d4d9";
  private readonly teardown: (() => void)[] = [];

  constructor(
    readonly canvas: HTMLCanvasElement,
    readonly data: FlameData,
    private readonly options: FlameViewOptions,
  ) {
    this.layout = layoutFlame(data);
    this.styleOf = new Int16Array(data.name.length).fill(-1);
    this.diffScale = data.diff ? diffScale(data) : 0;
    const ctx = canvas.getContext("2d", { alpha: false });
    if (ctx === null) throw new Error("this browser cannot draw on a canvas");
    this.ctx = ctx;
    // folded nodes are hatched; most graphs have none
    if (data.foldedNodes > 0 || data.kind.includes(KIND_OTHER)) this.hatch = hatchPattern(ctx) ?? this.hatch;
    this.listen(options.width);
    this.resize(options.width);
  }

  /** The node's label: function, "all", or a folded-frames summary. */
  label(i: number): string {
    return nodeLabel(this.data, i);
  }

  /** The widest frame (not the root) with this function name, or -1. */
  find(name: string): number {
    const { data, layout } = this;
    let best = -1;
    for (let i = 0; i < data.name.length; i++) {
      if (data.kind[i] !== KIND_ROOT && data.strings[data.name[i] ?? 0] === name && (best < 0 || (layout.width[i] ?? 0) > (layout.width[best] ?? 0))) best = i;
    }
    return best;
  }

  /** Is `b` inside the subtree of `a`? */
  contains(a: number, b: number): boolean {
    return a <= b && b < (this.layout.end[a] ?? 0);
  }

  /** Fill colour of node i (null for folded nodes, which are hatched). */
  colour(i: number): string | null {
    return this.data.kind[i] === KIND_OTHER ? null : (this.fills[this.style(i)]?.fill ?? null);
  }

  /** Zooms to node i (its subtree fills the width; ancestors stay above, dimmed). */
  setZoom(i: number, animate = true): void {
    const zoom = i < 0 || i >= this.data.name.length ? 0 : i;
    this.zoom = zoom;
    const target = { x0: this.layout.x[zoom] ?? 0, w: (this.layout.width[zoom] ?? 0) > 0 ? (this.layout.width[zoom] ?? 1) : 1 };
    cancelAnimationFrame(this.frame);
    const reduced = typeof matchMedia === "function" && matchMedia("(prefers-reduced-motion: reduce)").matches;
    if (!animate || reduced || this.cssWidth === 0) {
      this.view = target;
      this.draw();
    } else {
      const from = { ...this.view };
      const started = performance.now();
      const step = (now: number): void => {
        const t = Math.min(1, (now - started) / ZOOM_MS);
        const e = 1 - Math.pow(1 - t, 3);
        this.view = { x0: from.x0 + (target.x0 - from.x0) * e, w: from.w + (target.w - from.w) * e };
        this.draw();
        if (t < 1) this.frame = requestAnimationFrame(step);
      };
      this.frame = requestAnimationFrame(step);
    }
    this.options.onZoom?.(zoom);
  }

  /** Highlights frames matching `query` (empty: none). */
  search(query: string): SearchResult | undefined {
    if (query === "") {
      this.matches = null;
      this.matchCount = 0;
      this.draw();
      return undefined;
    }
    const result = searchFrames(this.data, this.layout, query);
    this.matches = result.matches;
    this.matchCount = result.count;
    this.draw();
    return result;
  }

  /** Where node i is (or will be, once a zoom animation ends), or null when it is not drawn. */
  box(i: number): Box | null {
    const { layout } = this;
    const z = this.zoom;
    const r = this.canvas.getBoundingClientRect();
    const y = r.top + this.rowY(layout.depth[i] ?? 0);
    if ((layout.depth[i] ?? 0) < (layout.depth[z] ?? 0) && this.contains(i, z)) return { x: r.left, y, width: this.cssWidth, height: ROW - 1 };
    if (!this.contains(z, i)) return null;
    const scale = this.cssWidth / ((layout.width[z] ?? 0) > 0 ? (layout.width[z] ?? 1) : 1);
    const width = (layout.width[i] ?? 0) * scale;
    if (width < MIN_PX) return null;
    return { x: r.left + ((layout.x[i] ?? 0) - (layout.x[z] ?? 0)) * scale, y, width, height: ROW - 1 };
  }

  /** Frames drawn at least `minWidth` pixels wide by the last draw, in viewport coordinates. */
  drawnFrames(minWidth: number): (Box & { node: number })[] {
    const r = this.canvas.getBoundingClientRect();
    const out: (Box & { node: number })[] = [];
    this.drawnRows().forEach((row, d) => {
      for (let k = 0; k < row.length; k += 3) {
        const w = (row[k + 2] ?? 0) - (row[k + 1] ?? 0);
        if (w >= minWidth) out.push({ node: row[k] ?? 0, x: r.left + (row[k + 1] ?? 0), y: r.top + this.rowY(d), width: w, height: ROW - 1 });
      }
    });
    return out;
  }

  /** Fits the canvas to its container's width (measured unless given) and the graph's depth, then draws. */
  resize(width?: number): void {
    const dpr = window.devicePixelRatio || 1;
    const w = width ?? contentWidth(this.canvas.parentElement);
    if (w === 0) return;
    const h = Math.min((this.layout.maxDepth + 1) * ROW + 2, Math.floor(MAX_CANVAS_PX / dpr));
    this.cssWidth = w;
    this.cssHeight = h;
    this.canvas.style.width = `${String(w)}px`;
    this.canvas.style.height = `${String(h)}px`;
    // a new size reallocates (and clears) the bitmap: only when it changes
    if (this.canvas.width !== Math.floor(w * dpr)) this.canvas.width = Math.floor(w * dpr);
    if (this.canvas.height !== Math.floor(h * dpr)) this.canvas.height = Math.floor(h * dpr);
    this.ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    this.ctx.font = FONT;
    this.ctx.textBaseline = "alphabetic";
    this.charW = this.ctx.measureText("MMMMMMMMMM").width / 10;
    this.draw();
  }

  /**
   * Draws what is in view: first decides which nodes are wide enough and where, then fills
   * them in batches of one fill and alpha each, then outlines and labels.
   */
  draw(): void {
    if (this.cssWidth === 0) return;
    const started = performance.now();
    const { data, layout } = this;
    const { x, width, end, depth } = layout;
    const n = data.name.length;
    if (this.drawnNode.length !== n) {
      this.drawnNode = new Int32Array(n);
      this.drawnX = new Float64Array(n);
      this.drawnEnd = new Float64Array(n);
      this.drawnKey = new Int32Array(n);
    }
    this.rows = null;
    let count = 0;
    this.skipped = 0;
    const W = this.cssWidth;
    const scale = W / this.view.w;
    const vx0 = this.view.x0;
    const zoomDepth = depth[this.zoom] ?? 0;
    for (let i = 0; i < n;) {
      const px = ((x[i] ?? 0) - vx0) * scale;
      const pw = (width[i] ?? 0) * scale;
      const a = px < 0 ? 0 : px;
      const b = px + pw > W ? W : px + pw;
      if (b - a < MIN_PX) {
        if (b > a || (pw < MIN_PX && px >= 0 && px <= W)) this.skipped += (end[i] ?? i + 1) - i;
        i = end[i] ?? i + 1;
        continue;
      }
      this.drawnNode[count] = i;
      this.drawnX[count] = a;
      this.drawnEnd[count] = b;
      this.drawnKey[count] = this.batchKey(i, (depth[i] ?? 0) < zoomDepth);
      count++;
      i++;
    }
    this.drawn = count;
    this.paint(count);
    const ms = performance.now() - started;
    if (ms > this.longestDrawMs) this.longestDrawMs = ms;
    this.options.onDraw?.(this.drawn, this.skipped);
  }

  /** Batch key: fill index × 4 + alpha class (0 normal, 1 ancestor, 2 dimmed by search, 3 match). */
  private batchKey(i: number, ancestor: boolean): number {
    const matched = this.matches !== null && this.matches[i] === 1;
    const alpha = matched ? 3 : ancestor ? 1 : this.matches !== null ? 2 : 0;
    const known = this.styleOf[i] ?? -1;
    return (known >= 0 ? known : this.style(i)) * 4 + alpha;
  }

  private paint(count: number): void {
    const { ctx } = this;
    ctx.globalAlpha = 1;
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, this.cssWidth, this.cssHeight);
    // counting sort of the drawn nodes by batch key
    const keys = this.fills.length * 4;
    const starts = new Int32Array(keys + 1);
    for (let k = 0; k < count; k++) {
      const key = (this.drawnKey[k] ?? 0) + 1;
      starts[key] = (starts[key] ?? 0) + 1;
    }
    for (let k = 0; k < keys; k++) starts[k + 1] = (starts[k + 1] ?? 0) + (starts[k] ?? 0);
    const order = new Int32Array(count);
    const next = starts.slice(0, keys);
    for (let k = 0; k < count; k++) {
      const key = this.drawnKey[k] ?? 0;
      const at = next[key] ?? 0;
      order[at] = k;
      next[key] = at + 1;
    }
    // rowY inline: a first draw runs cold, where a call per frame counts
    const { depth, maxDepth } = this.layout;
    const inverted = this.options.inverted === true;
    for (let key = 0; key < keys; key++) {
      const from = starts[key] ?? 0;
      const to = starts[key + 1] ?? 0;
      if (from === to) continue;
      this.setFill(key);
      for (let o = from; o < to; o++) {
        const k = order[o] ?? 0;
        const d = depth[this.drawnNode[k] ?? 0] ?? 0;
        const px = this.drawnX[k] ?? 0;
        const pw = (this.drawnEnd[k] ?? 0) - px;
        ctx.fillRect(px, (inverted ? maxDepth - d : d) * ROW, pw > 2 ? pw - 1 : pw, ROW - 1);
      }
    }
    ctx.globalAlpha = 1;
    // outlines: a diff's one-side frames and the hovered frame; a plain graph without hover has none
    if (this.data.diff || this.hover >= 0) for (let k = 0; k < count; k++) this.decorate(k);
    this.labels(count);
  }

  private setFill(key: number): void {
    const { ctx } = this;
    const alpha = key & 3;
    const fill = this.fills[key >> 2];
    ctx.globalAlpha = alpha === 1 ? 0.55 : alpha === 2 ? 0.35 : 1;
    ctx.fillStyle = alpha === 3 ? MATCH : fill === undefined || fill === FOLDED ? this.hatch : fill.fill;
  }

  /** Dashed outline of one-side frames, and the hover outline. */
  private decorate(k: number): void {
    const { ctx, data } = this;
    const i = this.drawnNode[k] ?? 0;
    const px = this.drawnX[k] ?? 0;
    const pw = (this.drawnEnd[k] ?? 0) - (this.drawnX[k] ?? 0);
    const w = pw > 2 ? pw - 1 : pw;
    const y = this.rowY(this.layout.depth[i] ?? 0);
    if (data.diff && (data.presence[i] ?? 0) !== 0 && data.kind[i] !== KIND_OTHER && pw > 3) {
      ctx.setLineDash([3, 2]);
      ctx.strokeStyle = "#1f2328";
      ctx.lineWidth = 1;
      ctx.strokeRect(px + 0.5, y + 0.5, w - 1, ROW - 2);
      ctx.setLineDash([]);
    }
    if (i === this.hover) {
      ctx.strokeStyle = "#1f2328";
      ctx.lineWidth = 1.5;
      ctx.strokeRect(px + 0.75, y + 0.75, Math.max(0, w - 1.5), ROW - 2.5);
      ctx.lineWidth = 1;
    }
  }

  /** Labels of the frames wide enough for three characters, cut to fit. */
  private labels(count: number, only = -1): void {
    const { ctx, data } = this;
    // alpha and colour set only when they change: most labels share both
    let alphaSet = -1;
    let colourSet = "";
    for (let k = only < 0 ? 0 : only; k < (only < 0 ? count : only + 1); k++) {
      const pw = (this.drawnEnd[k] ?? 0) - (this.drawnX[k] ?? 0);
      const room = Math.floor((pw - 6) / this.charW);
      if (room < 3) continue;
      const i = this.drawnNode[k] ?? 0;
      const key = this.drawnKey[k] ?? 0;
      const alphaClass = key & 3;
      const alpha = alphaClass === 1 ? 0.55 : alphaClass === 2 ? 0.35 : 1;
      if (alpha !== alphaSet) {
        ctx.globalAlpha = alpha;
        alphaSet = alpha;
      }
      const colour = alphaClass === 3 || this.fills[key >> 2]?.darkText === false ? "#ffffff" : "#1f2328";
      if (colour !== colourSet) {
        ctx.fillStyle = colour;
        colourSet = colour;
      }
      let t = nodeLabel(data, i);
      const presence = data.diff ? (data.presence[i] ?? 0) : 0;
      if (presence === PRESENT_COMPARISON_ONLY) t = `+ ${t}`;
      else if (presence === PRESENT_BASE_ONLY) t = `− ${t}`;
      if (t.length > room) t = `${t.slice(0, room - 1)}…`;
      ctx.fillText(t, (this.drawnX[k] ?? 0) + 3, this.rowY(this.layout.depth[i] ?? 0) + ROW - 5);
    }
    ctx.globalAlpha = 1;
  }

  /** Redraws one drawn node in place (hover changes: no full redraw). */
  private repaint(i: number): void {
    if (i < 0) return;
    const k = this.drawnNode.indexOf(i);
    if (k < 0 || k >= this.drawn) return;
    const { ctx } = this;
    const y = this.rowY(this.layout.depth[i] ?? 0);
    const px = this.drawnX[k] ?? 0;
    const pw = (this.drawnEnd[k] ?? 0) - (this.drawnX[k] ?? 0);
    ctx.globalAlpha = 1;
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(px, y, pw, ROW);
    this.setFill(this.drawnKey[k] ?? 0);
    ctx.fillRect(px, y, pw > 2 ? pw - 1 : pw, ROW - 1);
    ctx.globalAlpha = 1;
    this.decorate(k);
    this.labels(this.drawn, k);
  }

  /** The node under a point (viewport coordinates), or -1. */
  hit(clientX: number, clientY: number): number {
    const r = this.canvas.getBoundingClientRect();
    const px = clientX - r.left;
    const k = Math.floor((clientY - r.top) / ROW);
    const row = this.drawnRows()[this.options.inverted === true ? this.layout.maxDepth - k : k];
    if (row === undefined) return -1;
    let lo = 0;
    let hi = row.length / 3 - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (px < (row[mid * 3 + 1] ?? 0)) hi = mid - 1;
      else if (px >= (row[mid * 3 + 2] ?? 0)) lo = mid + 1;
      else return row[mid * 3] ?? -1;
    }
    return -1;
  }

  /** Removes listeners and stops animations. */
  destroy(): void {
    cancelAnimationFrame(this.frame);
    for (const undo of this.teardown.splice(0)) undo();
    this.options.tooltip.hidden = true;
  }

  /** The last draw's rows (see `rows`): pre-order puts each depth's frames left to right. */
  private drawnRows(): number[][] {
    if (this.rows !== null) return this.rows;
    const rows: number[][] = Array.from({ length: this.layout.maxDepth + 1 }, () => []);
    for (let k = 0; k < this.drawn; k++) {
      const i = this.drawnNode[k] ?? 0;
      rows[this.layout.depth[i] ?? 0]?.push(i, this.drawnX[k] ?? 0, this.drawnEnd[k] ?? 0);
    }
    this.rows = rows;
    return rows;
  }

  private rowY(d: number): number {
    return this.options.inverted === true ? (this.layout.maxDepth - d) * ROW : d * ROW;
  }

  /** Index of node i's fill in `fills`, computed on first use (once per function in a plain graph). */
  private style(i: number): number {
    let id = this.styleOf[i] ?? -1;
    if (id >= 0) return id;
    const byFunction = !this.data.diff && this.data.kind[i] === KIND_FRAME;
    const fnKey = byFunction ? (this.data.name[i] ?? 0) * this.data.strings.length + (this.data.file[i] ?? 0) : -1;
    id = fnKey === -1 ? -1 : (this.byFunction.get(fnKey) ?? -1);
    if (id >= 0) {
      this.styleOf[i] = id;
      return id;
    }
    const s = this.data.kind[i] === KIND_OTHER ? FOLDED : frameStyle(this.data, i, this.diffScale);
    id = this.fillOfStyle.get(s) ?? -1;
    if (id < 0) {
      const key = s === FOLDED ? "" : `${s.fill}|${String(s.darkText)}`;
      id = this.fillIndex.get(key) ?? -1;
      if (id < 0) {
        id = this.fills.length;
        this.fills.push(s);
        this.fillIndex.set(key, id);
      }
      if (!this.data.diff) this.fillOfStyle.set(s, id);
    }
    this.styleOf[i] = id;
    if (fnKey !== -1) this.byFunction.set(fnKey, id);
    return id;
  }

  private listen(knownWidth: number | undefined): void {
    const { canvas } = this;
    const tip = this.options.tooltip;
    const on = <K extends keyof HTMLElementEventMap>(type: K, fn: (e: HTMLElementEventMap[K]) => void): void => {
      canvas.addEventListener(type, fn);
      this.teardown.push(() => canvas.removeEventListener(type, fn));
    };
    on("mousemove", (e) => {
      const i = this.hit(e.clientX, e.clientY);
      if (i !== this.hover) {
        const old = this.hover;
        this.hover = i;
        this.repaint(old);
        this.repaint(i);
      }
      if (i < 0) tip.hidden = true;
      else {
        fillTooltip(tip, this.data, i, { rateHz: this.options.rateHz, zoom: this.zoom, isInZoom: this.contains(this.zoom, i) });
        placeTooltip(tip, e.clientX, e.clientY);
      }
    });
    on("mouseleave", () => {
      tip.hidden = true;
      const old = this.hover;
      this.hover = -1;
      this.repaint(old);
    });
    on("click", (e) => {
      const i = this.hit(e.clientX, e.clientY);
      if (i >= 0) this.setZoom(i === this.zoom ? (this.data.parent[i] ?? 0) : i);
    });
    on("contextmenu", (e) => {
      const i = this.hit(e.clientX, e.clientY);
      if (i >= 0 && this.options.onFrameMenu !== undefined && this.data.kind[i] !== KIND_ROOT && this.data.kind[i] !== KIND_OTHER) {
        e.preventDefault();
        tip.hidden = true;
        this.options.onFrameMenu(i);
      }
    });
    const parent = canvas.parentElement;
    if (parent !== null && typeof ResizeObserver === "function") {
      let width = knownWidth ?? contentWidth(parent);
      const observer = new ResizeObserver(() => {
        // zero: hidden or out of the document, nothing to draw
        if (contentWidth(parent) === width || contentWidth(parent) === 0) return;
        width = contentWidth(parent);
        requestAnimationFrame(() => this.resize());
      });
      observer.observe(parent);
      this.teardown.push(() => observer.disconnect());
    }
  }
}

/** The width inside an element's padding, whole pixels. */
export function contentWidth(el: HTMLElement | null): number {
  if (el === null) return 0;
  const cs = getComputedStyle(el);
  return Math.max(0, Math.floor(el.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight)));
}

/** Diagonal stripes for folded ("other") nodes. */
function hatchPattern(ctx: CanvasRenderingContext2D): CanvasPattern | null {
  const p = document.createElement("canvas");
  p.width = 8;
  p.height = 8;
  const pc = p.getContext("2d");
  if (pc === null) return null;
  pc.fillStyle = "#eef0f2";
  pc.fillRect(0, 0, 8, 8);
  pc.strokeStyle = "#b8bec5";
  pc.lineWidth = 2.5;
  pc.beginPath();
  pc.moveTo(-2, 10);
  pc.lineTo(10, -2);
  pc.moveTo(6, 10);
  pc.lineTo(10, 6);
  pc.moveTo(-2, 2);
  pc.lineTo(2, -2);
  pc.stroke();
  return ctx.createPattern(p, "repeat");
}
