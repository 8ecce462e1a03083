/**
 * CPU use over time on a canvas: one area, or stacked areas when split by a label (a legend
 * names each), cores on the y axis. Hover shows the values at that time; dragging across
 * the chart selects a time range to zoom into.
 */
import { formatCores } from "../../flame/format.js";
import { h } from "../dom.js";
import { formatDateTime } from "../time-range.js";

export const PALETTE = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"];

export interface ChartSeries {
  name: string;
  /** Cores at each time. */
  values: number[];
}

export interface ChartData {
  times: number[];
  stepMs: number;
  series: ChartSeries[];
}

const PAD = { left: 64, right: 12, top: 10, bottom: 24 };
const HEIGHT = 150;

function niceStep(max: number): number {
  const raw = max / 4;
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const f = raw / mag;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
}

function timeLabel(ms: number, spanMs: number): string {
  const s = formatDateTime(ms, spanMs < 600_000);
  return spanMs > 86_400_000 ? s.slice(5, 16) : s.slice(11);
}

export class SeriesChart {
  readonly el: HTMLElement;
  private readonly canvas = h("canvas", { className: "series-canvas", attrs: { role: "img", "aria-label": "CPU over time; drag to zoom into a time range" } });
  private readonly legend = h("div", { className: "series-legend" });
  private data: ChartData = { times: [], stepMs: 0, series: [] };
  private stacked: number[][] = [];
  private max = 0;
  private width = 0;
  private drag: { x0: number; x1: number } | undefined;
  private hoverX = -1;
  private readonly observer = new ResizeObserver(() => this.resize());
  private readonly onMouseUp = (): void => this.endDrag();

  constructor(
    private readonly tooltip: HTMLElement,
    private readonly onSelect: (startMs: number, endMs: number) => void,
  ) {
    this.el = h("div", { className: "series-chart" }, this.canvas, this.legend);
    this.listen();
    this.observer.observe(this.el);
  }

  destroy(): void {
    this.observer.disconnect();
    window.removeEventListener("mouseup", this.onMouseUp);
  }

  set(data: ChartData): void {
    this.data = data;
    this.stacked = [];
    let acc = data.times.map(() => 0);
    for (const s of data.series) {
      acc = acc.map((v, i) => v + (s.values[i] ?? 0));
      this.stacked.push(acc);
    }
    this.max = Math.max(0, ...(this.stacked[this.stacked.length - 1] ?? [0]));
    this.legend.replaceChildren(
      ...(data.series.length > 1 || (data.series[0]?.name ?? "") !== ""
        ? data.series.map((s, k) =>
            h(
              "span",
              { className: "legend-item" },
              h("span", { className: "swatch", style: { background: PALETTE[k % PALETTE.length] ?? "#888" } }),
              s.name === "" ? "(none)" : s.name,
            ),
          )
        : []),
    );
    this.resize();
  }

  private resize(): void {
    const w = this.el.clientWidth;
    if (w === 0) return;
    const dpr = window.devicePixelRatio || 1;
    this.width = w;
    this.canvas.style.width = `${String(w)}px`;
    this.canvas.style.height = `${String(HEIGHT)}px`;
    this.canvas.width = Math.floor(w * dpr);
    this.canvas.height = Math.floor(HEIGHT * dpr);
    this.canvas.getContext("2d")?.setTransform(dpr, 0, 0, dpr, 0, 0);
    this.draw();
  }

  private xOf(ms: number): number {
    const t = this.data.times;
    const a = t[0] ?? 0;
    const b = (t[t.length - 1] ?? 0) + this.data.stepMs;
    return PAD.left + ((ms - a) / Math.max(1, b - a)) * (this.width - PAD.left - PAD.right);
  }

  private timeAt(x: number): number {
    const t = this.data.times;
    const a = t[0] ?? 0;
    const b = (t[t.length - 1] ?? 0) + this.data.stepMs;
    return a + ((x - PAD.left) / Math.max(1, this.width - PAD.left - PAD.right)) * (b - a);
  }

  private draw(): void {
    const ctx = this.canvas.getContext("2d");
    if (ctx === null || this.width === 0) return;
    const W = this.width;
    const plotH = HEIGHT - PAD.top - PAD.bottom;
    ctx.clearRect(0, 0, W, HEIGHT);
    ctx.font = "11px system-ui, sans-serif";
    const top = this.max > 0 ? this.max * 1.1 : 1;
    const y = (v: number): number => PAD.top + plotH - (v / top) * plotH;
    this.drawAxes(ctx, top, y);
    const { times, stepMs } = this.data;
    for (let k = this.stacked.length - 1; k >= 0; k--) {
      const upper = this.stacked[k] ?? [];
      const lower = k > 0 ? (this.stacked[k - 1] ?? []) : times.map(() => 0);
      const colour = this.data.series.length === 1 ? "#e8590c" : (PALETTE[k % PALETTE.length] ?? "#888");
      ctx.beginPath();
      times.forEach((t, i) => ctx.lineTo(this.xOf(t + stepMs / 2), y(upper[i] ?? 0)));
      for (let i = times.length - 1; i >= 0; i--) ctx.lineTo(this.xOf((times[i] ?? 0) + stepMs / 2), y(lower[i] ?? 0));
      ctx.closePath();
      ctx.globalAlpha = 0.35;
      ctx.fillStyle = colour;
      ctx.fill();
      ctx.globalAlpha = 1;
      ctx.beginPath();
      times.forEach((t, i) => ctx.lineTo(this.xOf(t + stepMs / 2), y(upper[i] ?? 0)));
      ctx.strokeStyle = colour;
      ctx.lineWidth = 1.5;
      ctx.stroke();
    }
    if (this.drag !== undefined) {
      ctx.fillStyle = "rgba(47, 111, 235, 0.15)";
      const a = Math.min(this.drag.x0, this.drag.x1);
      ctx.fillRect(a, PAD.top, Math.abs(this.drag.x1 - this.drag.x0), plotH);
    } else if (this.hoverX >= PAD.left) {
      ctx.strokeStyle = "rgba(31, 35, 40, 0.5)";
      ctx.beginPath();
      ctx.moveTo(this.hoverX + 0.5, PAD.top);
      ctx.lineTo(this.hoverX + 0.5, PAD.top + plotH);
      ctx.stroke();
    }
  }

  private drawAxes(ctx: CanvasRenderingContext2D, top: number, y: (v: number) => number): void {
    const W = this.width;
    ctx.fillStyle = "#59636e";
    ctx.strokeStyle = "#e6e9ed";
    ctx.lineWidth = 1;
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    const step = niceStep(top);
    for (let v = 0; v <= top; v += step) {
      ctx.beginPath();
      ctx.moveTo(PAD.left, Math.round(y(v)) + 0.5);
      ctx.lineTo(W - PAD.right, Math.round(y(v)) + 0.5);
      ctx.stroke();
      ctx.fillText(formatCores(v).replace(" cores", "").replace(" core", ""), PAD.left - 8, y(v));
    }
    ctx.save();
    ctx.translate(12, PAD.top + (HEIGHT - PAD.top - PAD.bottom) / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.textAlign = "center";
    ctx.fillText("CPU cores", 0, 0);
    ctx.restore();
    const { times, stepMs } = this.data;
    if (times.length === 0) return;
    const span = (times[times.length - 1] ?? 0) + stepMs - (times[0] ?? 0);
    const labels = Math.max(2, Math.floor((W - PAD.left - PAD.right) / 110));
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    for (let k = 0; k <= labels; k++) {
      const t = (times[0] ?? 0) + (span * k) / labels;
      const x = this.xOf(t);
      ctx.textAlign = k === 0 ? "left" : k === labels ? "right" : "center";
      ctx.fillText(timeLabel(t, span), x, HEIGHT - PAD.bottom + 6);
    }
  }

  private showTooltip(e: MouseEvent): void {
    const { times, stepMs, series } = this.data;
    const t = this.timeAt(this.hoverX);
    const i = Math.floor((t - (times[0] ?? 0)) / Math.max(1, stepMs));
    if (i < 0 || i >= times.length) {
      this.tooltip.hidden = true;
      return;
    }
    const rows = series.map((s, k) =>
      h(
        "tr",
        null,
        h(
          "td",
          null,
          h("span", { className: "swatch", style: { background: series.length === 1 ? "#e8590c" : (PALETTE[k % PALETTE.length] ?? "#888") } }),
          s.name === "" ? "CPU" : s.name,
        ),
        h("td", null, formatCores(s.values[i] ?? 0)),
      ),
    );
    this.tooltip.replaceChildren(
      h("div", { className: "fn" }, formatDateTime(times[i] ?? 0, true)),
      h("table", null, ...rows),
      h("div", { className: "note" }, "drag to zoom into a range"),
    );
    this.tooltip.hidden = false;
    this.tooltip.style.left = `${String(Math.min(e.clientX + 14, window.innerWidth - this.tooltip.offsetWidth - 4))}px`;
    this.tooltip.style.top = `${String(e.clientY + 14)}px`;
  }

  private listen(): void {
    const x = (e: MouseEvent): number => e.clientX - this.canvas.getBoundingClientRect().left;
    this.canvas.addEventListener("mousedown", (e) => {
      this.drag = { x0: x(e), x1: x(e) };
      this.tooltip.hidden = true;
    });
    this.canvas.addEventListener("mousemove", (e) => {
      this.hoverX = x(e);
      if (this.drag !== undefined) this.drag.x1 = x(e);
      else this.showTooltip(e);
      this.draw();
    });
    this.canvas.addEventListener("mouseleave", () => {
      this.hoverX = -1;
      this.tooltip.hidden = true;
      this.draw();
    });
    window.addEventListener("mouseup", this.onMouseUp);
  }

  private endDrag(): void {
    const d = this.drag;
    this.drag = undefined;
    if (d === undefined) return;
    this.draw();
    if (Math.abs(d.x1 - d.x0) < 4) return;
    const a = this.timeAt(Math.max(PAD.left, Math.min(d.x0, d.x1)));
    const b = this.timeAt(Math.min(this.width - PAD.right, Math.max(d.x0, d.x1)));
    this.onSelect(Math.floor(a), Math.ceil(b));
  }
}
