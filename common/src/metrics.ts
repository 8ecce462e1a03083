/**
 * A small Prometheus registry: counters, gauges and histograms with labels, rendered in the text
 * exposition format (version 0.0.4). Shared by every component (no dependency).
 *
 * Updates are cheap: a series without labels is reached without building a key, and
 * `labels({ … })` resolves a labelled series once into a handle that is then updated with plain
 * arithmetic. Values kept elsewhere (plain fields, /proc) are copied in by an `onCollect`
 * callback when the registry renders.
 */
import { ErrorCode, FleetprofError } from "./errors.js";

export type LabelValues = Readonly<Record<string, string>>;

const NO_LABELS: LabelValues = Object.freeze({});
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** One series of a counter. */
export class CounterSeries {
  value = 0;
  inc(by = 1): void {
    this.value += by;
  }
  /** For totals measured elsewhere (e.g. CPU seconds from /proc). */
  setTotal(value: number): void {
    this.value = value;
  }
}

/** One series of a gauge. */
export class GaugeSeries {
  value = 0;
  set(value: number): void {
    this.value = value;
  }
}

/** One series of a histogram: observations counted in the first bucket whose bound holds them. */
export class HistogramSeries {
  /** Observations per bucket, not cumulative; those above the last bound are only in `count`. */
  readonly #counts: number[];
  sum = 0;
  count = 0;

  constructor(readonly bounds: readonly number[]) {
    this.#counts = new Array<number>(bounds.length).fill(0);
  }

  observe(value: number): void {
    this.sum += value;
    this.count++;
    const bounds = this.bounds;
    for (let i = 0; i < bounds.length; i++) {
      if (value <= (bounds[i] as number)) {
        this.#counts[i] = (this.#counts[i] as number) + 1;
        return;
      }
    }
  }

  /** Observations at or below each bound (the `_bucket` values, without `+Inf`). */
  cumulativeCounts(): number[] {
    let n = 0;
    return this.#counts.map((c) => (n += c));
  }
}

abstract class Metric<S> {
  abstract readonly type: "counter" | "gauge" | "histogram";
  /** Series by their rendered labels (`a="x",b="y"`, names sorted, "" for none), in creation order. */
  readonly #series = new Map<string, S>();
  #unlabelled: S | undefined;

  constructor(
    readonly name: string,
    readonly help: string,
  ) {}

  protected abstract newSeries(): S;
  protected abstract renderSeries(lines: string[], labels: string, series: S): void;

  /** The series for these label values, created on first use. Keep it to update it without a lookup. */
  labels(values: LabelValues = NO_LABELS): S {
    if (isEmpty(values)) return (this.#unlabelled ??= this.#add("", values));
    const key = labelKey(values);
    return this.#series.get(key) ?? this.#add(key, values);
  }

  protected find(values: LabelValues): S | undefined {
    return isEmpty(values) ? this.#unlabelled : this.#series.get(labelKey(values));
  }

  protected allSeries(): IterableIterator<S> {
    return this.#series.values();
  }

  protected checkLabelName(name: string): void {
    if (!LABEL_NAME.test(name) || name.startsWith("__")) {
      throw new FleetprofError(
        ErrorCode.InvalidArgument,
        `metric ${this.name}: label name "${name}" is not allowed; use letters, digits and _ (not a leading __)`,
      );
    }
  }

  #add(key: string, values: LabelValues): S {
    for (const name of Object.keys(values)) this.checkLabelName(name);
    const s = this.newSeries();
    this.#series.set(key, s);
    return s;
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${escapeHelp(this.help)}`, `# TYPE ${this.name} ${this.type}`];
    for (const [labels, s] of this.#series) this.renderSeries(lines, labels, s);
    return lines.join("\n");
  }
}

abstract class ValueMetric<S extends { value: number }> extends Metric<S> {
  get(labels: LabelValues = NO_LABELS): number {
    return this.find(labels)?.value ?? 0;
  }

  /** Sum over every label combination. */
  total(): number {
    let t = 0;
    for (const s of this.allSeries()) t += s.value;
    return t;
  }

  protected renderSeries(lines: string[], labels: string, s: S): void {
    lines.push(`${this.name}${braces(labels)} ${formatValue(s.value)}`);
  }
}

export class Counter extends ValueMetric<CounterSeries> {
  readonly type = "counter";
  inc(labels: LabelValues = NO_LABELS, by = 1): void {
    this.labels(labels).inc(by);
  }
  /** For totals measured elsewhere (e.g. CPU seconds from /proc). */
  setTotal(value: number, labels: LabelValues = NO_LABELS): void {
    this.labels(labels).setTotal(value);
  }
  protected newSeries(): CounterSeries {
    return new CounterSeries();
  }
}

export class Gauge extends ValueMetric<GaugeSeries> {
  readonly type = "gauge";
  set(value: number, labels: LabelValues = NO_LABELS): void {
    this.labels(labels).set(value);
  }
  protected newSeries(): GaugeSeries {
    return new GaugeSeries();
  }
}

export class Histogram extends Metric<HistogramSeries> {
  readonly type = "histogram";
  /** Upper bounds of the buckets, increasing; `+Inf` is implied. */
  readonly bounds: readonly number[];

  constructor(name: string, help: string, bounds: readonly number[]) {
    super(name, help);
    if (bounds.some((b, i) => !Number.isFinite(b) || (i > 0 && b <= (bounds[i - 1] as number)))) {
      throw new FleetprofError(
        ErrorCode.InvalidArgument,
        `histogram ${name}: bucket bounds must be finite and increasing (got ${bounds.join(", ")}); +Inf is added by itself`,
      );
    }
    this.bounds = Object.freeze([...bounds]);
  }

  observe(value: number, labels: LabelValues = NO_LABELS): void {
    this.labels(labels).observe(value);
  }

  protected newSeries(): HistogramSeries {
    return new HistogramSeries(this.bounds);
  }

  protected override checkLabelName(name: string): void {
    if (name === "le") throw new FleetprofError(ErrorCode.InvalidArgument, `histogram ${this.name}: "le" is the bucket label; name the label differently`);
    super.checkLabelName(name);
  }

  protected renderSeries(lines: string[], labels: string, s: HistogramSeries): void {
    const before = labels === "" ? "" : `${labels},`;
    const cumulative = s.cumulativeCounts();
    this.bounds.forEach((b, i) => lines.push(`${this.name}_bucket{${before}le="${formatValue(b)}"} ${formatValue(cumulative[i] as number)}`));
    lines.push(`${this.name}_bucket{${before}le="+Inf"} ${formatValue(s.count)}`);
    lines.push(`${this.name}_sum${braces(labels)} ${formatValue(s.sum)}`);
    lines.push(`${this.name}_count${braces(labels)} ${formatValue(s.count)}`);
  }
}

function isEmpty(values: LabelValues): boolean {
  if (values === NO_LABELS) return true;
  for (const _ in values) return false;
  return true;
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

function escapeHelp(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

/** `a="x",b="y"`: names sorted, so the same labels in another order are the same series. */
function labelKey(values: LabelValues): string {
  const names = Object.keys(values);
  if (names.length > 1) names.sort();
  return names.map((n) => `${n}="${escapeLabel(values[n] as string)}"`).join(",");
}

function braces(labels: string): string {
  return labels === "" ? "" : `{${labels}}`;
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (!Number.isFinite(v)) return v > 0 ? "+Inf" : "-Inf";
  return String(v);
}

export class Registry {
  readonly #metrics = new Map<string, { render(): string }>();
  /** Called before rendering, to refresh values computed on demand. */
  readonly #collectors: (() => void)[] = [];

  counter(name: string, help: string): Counter {
    return this.#register(new Counter(name, help));
  }

  gauge(name: string, help: string): Gauge {
    return this.#register(new Gauge(name, help));
  }

  /** `bounds`: upper bounds of the buckets, increasing, without `+Inf`. */
  histogram(name: string, help: string, bounds: readonly number[]): Histogram {
    return this.#register(new Histogram(name, help, bounds));
  }

  onCollect(fn: () => void): void {
    this.#collectors.push(fn);
  }

  render(): string {
    for (const fn of this.#collectors) fn();
    return `${[...this.#metrics.values()].map((m) => m.render()).join("\n")}\n`;
  }

  #register<M extends { readonly name: string; render(): string }>(m: M): M {
    if (!METRIC_NAME.test(m.name)) throw new FleetprofError(ErrorCode.InvalidArgument, `metric name "${m.name}" is not allowed; use letters, digits, _ and :`);
    if (this.#metrics.has(m.name)) throw new FleetprofError(ErrorCode.InvalidArgument, `metric ${m.name} is registered twice; register it once and share it`);
    this.#metrics.set(m.name, m);
    return m;
  }
}

/** Reads one sample from exposition text (for tests and the benchmark). */
export function readMetric(text: string, name: string, labels: LabelValues = NO_LABELS): number | undefined {
  const want = `${name}${braces(labelKey(labels))} `;
  for (const line of text.split("\n")) {
    if (line.startsWith(want)) return Number(line.slice(want.length));
  }
  return undefined;
}
