import { describe, expect, it } from "vitest";
import { isFleetprofError } from "./errors.js";
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
    expect(readMetric(text, "x_total", { kind: 'a"b\\c\nd' })).toBe(3);
    expect(readMetric(text, "nope")).toBeUndefined();
    expect(c.total()).toBe(3);
  });

  it("escapes backslashes and newlines in HELP, so the text stays one line per comment", () => {
    const r = new Registry();
    r.gauge("z", "one\ntwo \\ three").set(1);
    expect(r.render()).toBe("# HELP z one\\ntwo \\\\ three\n# TYPE z gauge\nz 1\n");
  });

  it("adds a labels() handle and keyed increments to the same series, whatever the order of label names", () => {
    const r = new Registry();
    const c = r.counter("requests_total", "requests");
    const handle = c.labels({ route: "/a", code: "200" });
    handle.inc();
    handle.inc(2);
    c.inc({ code: "200", route: "/a" });
    c.inc({ route: "/a", code: "500" });
    c.inc();
    const text = r.render();
    expect(text).toBe(
      '# HELP requests_total requests\n# TYPE requests_total counter\nrequests_total{code="200",route="/a"} 4\nrequests_total{code="500",route="/a"} 1\nrequests_total 1\n',
    );
    expect(readMetric(text, "requests_total", { route: "/a", code: "200" })).toBe(4);
    expect(c.get({ route: "/a", code: "200" })).toBe(4);
    expect(c.get({ route: "/b" })).toBe(0);
    expect(c.total()).toBe(6);
  });

  it("renders a histogram with cumulative buckets, +Inf, sum and count", () => {
    const r = new Registry();
    const h = r.histogram("op_seconds", "duration", [0.1, 1, 10]);
    for (const v of [0.05, 0.1, 0.5, 20]) h.observe(v);
    h.labels({ kind: "slow" }).observe(5);
    expect(r.render()).toBe(
      [
        "# HELP op_seconds duration",
        "# TYPE op_seconds histogram",
        'op_seconds_bucket{le="0.1"} 2',
        'op_seconds_bucket{le="1"} 3',
        'op_seconds_bucket{le="10"} 3',
        'op_seconds_bucket{le="+Inf"} 4',
        "op_seconds_sum 20.65",
        "op_seconds_count 4",
        'op_seconds_bucket{kind="slow",le="0.1"} 0',
        'op_seconds_bucket{kind="slow",le="1"} 0',
        'op_seconds_bucket{kind="slow",le="10"} 1',
        'op_seconds_bucket{kind="slow",le="+Inf"} 1',
        'op_seconds_sum{kind="slow"} 5',
        'op_seconds_count{kind="slow"} 1',
        "",
      ].join("\n"),
    );
  });

  it("refuses what would make the scrape invalid: a name twice, a bad label name, le on a histogram, unordered buckets", () => {
    const r = new Registry();
    const c = r.counter("a_total", "a");
    const h = r.histogram("h_seconds", "h", [1, 2]);
    const refused = (fn: () => unknown): boolean => {
      try {
        fn();
        return false;
      } catch (err) {
        return isFleetprofError(err);
      }
    };
    expect(refused(() => r.gauge("a_total", "again"))).toBe(true);
    expect(refused(() => r.counter("bad-name", "x"))).toBe(true);
    expect(refused(() => c.inc({ "bad-label": "x" }))).toBe(true);
    expect(refused(() => h.observe(1, { le: "1" }))).toBe(true);
    expect(refused(() => r.histogram("u_seconds", "u", [1, 0.5]))).toBe(true);
    expect(r.render()).toBe("# HELP a_total a\n# TYPE a_total counter\n# HELP h_seconds h\n# TYPE h_seconds histogram\n");
  });
});
