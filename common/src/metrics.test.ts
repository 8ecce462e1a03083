import { describe, expect, it } from "vitest";
import { readMetric, Registry } from "./metrics.js";

describe("metrics registry", () => {
  it("renders counters and gauges in the Prometheus text format, labels escaped", () => {
    const r = new Registry();
    const c = r.counter("x_total", "things");
    const g = r.gauge("y", "level");
    c.inc({ kind: 'a"b\\c\nd' }, 2);
    c.inc({ kind: 'a"b\\c\nd' });
    g.set(0.5);
    let collected = 0;
    r.onCollect(() => collected++);
    const text = r.render();
    expect(text).toBe('# HELP x_total things\n# TYPE x_total counter\nx_total{kind="a\\"b\\\\c\\nd"} 3\n# HELP y level\n# TYPE y gauge\ny 0.5\n');
    expect(collected).toBe(1);
    expect(readMetric(text, "y")).toBe(0.5);
    expect(readMetric(text, "nope")).toBeUndefined();
    expect(c.total()).toBe(3);
  });
});
