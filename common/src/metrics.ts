/**
 * A small Prometheus registry: counters and gauges with labels, rendered in the text
 * exposition format (version 0.0.4). Shared by every component (no dependency).
 */

type LabelValues = Record<string, string>;

interface Series {
  labels: LabelValues;
  value: number;
}

abstract class Metric {
  readonly #series = new Map<string, Series>();
  abstract readonly type: "counter" | "gauge";

  constructor(
    readonly name: string,
    readonly help: string,
  ) {}

  protected series(labels: LabelValues): Series {
    const key = JSON.stringify(labels);
    let s = this.#series.get(key);
    if (s === undefined) {
      s = { labels, value: 0 };
      this.#series.set(key, s);
    }
    return s;
  }

  get(labels: LabelValues = {}): number {
    return this.#series.get(JSON.stringify(labels))?.value ?? 0;
  }

  /** Sum over every label combination. */
  total(): number {
    let t = 0;
    for (const s of this.#series.values()) t += s.value;
    return t;
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} ${this.type}`];
    for (const s of this.#series.values()) lines.push(`${this.name}${renderLabels(s.labels)} ${formatValue(s.value)}`);
    return lines.join("\n");
  }
}

export class Counter extends Metric {
  readonly type = "counter";
  inc(labels: LabelValues = {}, by = 1): void {
    this.series(labels).value += by;
  }
  /** For totals measured elsewhere (e.g. CPU seconds from /proc). */
  setTotal(value: number, labels: LabelValues = {}): void {
    this.series(labels).value = value;
  }
}

export class Gauge extends Metric {
  readonly type = "gauge";
  set(value: number, labels: LabelValues = {}): void {
    this.series(labels).value = value;
  }
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

function renderLabels(labels: LabelValues): string {
  const entries = Object.entries(labels);
  if (entries.length === 0) return "";
  return `{${entries.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(",")}}`;
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (!Number.isFinite(v)) return v > 0 ? "+Inf" : "-Inf";
  return String(v);
}

export class Registry {
  readonly #metrics: Metric[] = [];
  /** Called before rendering, to refresh gauges computed on demand. */
  readonly #collectors: (() => void)[] = [];

  counter(name: string, help: string): Counter {
    const m = new Counter(name, help);
    this.#metrics.push(m);
    return m;
  }

  gauge(name: string, help: string): Gauge {
    const m = new Gauge(name, help);
    this.#metrics.push(m);
    return m;
  }

  onCollect(fn: () => void): void {
    this.#collectors.push(fn);
  }

  render(): string {
    for (const fn of this.#collectors) fn();
    return `${this.#metrics.map((m) => m.render()).join("\n")}\n`;
  }
}

/** Reads one sample from exposition text (for tests and the benchmark). */
export function readMetric(text: string, name: string, labels: LabelValues = {}): number | undefined {
  const want = renderLabels(labels);
  for (const line of text.split("\n")) {
    if (line.startsWith(`${name}${want} `)) return Number(line.slice(name.length + want.length + 1));
  }
  return undefined;
}
