/** `fleetprof series <selector> --step 1m [--by label]`: samples over time. */
import { toJsonString } from "@bufbuild/protobuf";
import { defineOptions } from "@fleetprof/common";
import { TimeSeriesResponseSchema, type Series } from "@fleetprof/proto";
import { expandSelector } from "../args/selector.js";
import { apiRange, parseRange } from "../args/time.js";
import { callApi, connectionFrom } from "../client/call.js";
import { connectionOptions, rangeOptions } from "../client/client-options.js";
import { formatCount } from "@fleetprof/web";
import { formatTable } from "../render/table.js";
import { parseArgs, positionals, type Command } from "./command.js";

const options = defineOptions({
  ...connectionOptions,
  ...rangeOptions,
  step: { type: "duration", doc: "width of each point (0: about 120 points)", default: 0, min: 0 },
  by: { type: "string", doc: "one series per value of this label (version, host, pid, thread, …)" },
  limit: { type: "number", doc: "at most this many series; the rest summed as other", default: 10, min: 1 },
  table: { type: "boolean", doc: "print every point instead of a sparkline", default: false },
});

const USAGE = "fleetprof series <selector> [--step 1m] [--by label]";
const BARS = "▁▂▃▄▅▆▇█";

/** One character per point, scaled to the largest point of all series. */
export function sparkline(values: number[], max: number): string {
  return values.map((v) => (v <= 0 || max <= 0 ? " " : (BARS[Math.min(BARS.length - 1, Math.floor((v / max) * (BARS.length - 1) + 0.5))] ?? " "))).join("");
}

function pointsOn(series: Series, times: number[]): number[] {
  const byTime = new Map(series.points.map((p) => [Number(p.timeUnixMs), Number(p.samples)]));
  return times.map((t) => byTime.get(t) ?? 0);
}

export const seriesCommand: Command = {
  name: "series",
  summary: "Samples per time step, optionally one series per label value",
  usage: USAGE,
  examples: ["fleetprof series shop --step 1m", "fleetprof series shop --since 6h --by version", "fleetprof series '{host=\"web-3\"}' --by service --table"],
  options: () => options,
  run: async (argv, ctx) => {
    const loaded = parseArgs(options, argv, ctx.io);
    const [selectorText] = positionals(loaded, ["a selector"], USAGE);
    const { config } = loaded;
    const selector = expandSelector(selectorText ?? "");
    const range = parseRange(config.since, config.until, ctx.io.now());
    const res = await callApi(ctx, connectionFrom(config), "computing the series", (c) =>
      c.timeSeries({
        selector,
        range: apiRange(range),
        stepMs: BigInt(config.step),
        groupBy: config.by ?? "",
        limit: config.limit,
      }),
    );
    if (config.json) {
      ctx.io.stdout.write(toJsonString(TimeSeriesResponseSchema, res, { prettySpaces: 2 }) + "\n");
      return 0;
    }
    if (res.series.length === 0) {
      ctx.io.stdout.write(`no samples for ${selector} in this range\n`);
      return 0;
    }
    const times = [...new Set(res.series.flatMap((s) => s.points.map((p) => Number(p.timeUnixMs))))].sort((a, b) => a - b);
    const label = (s: Series): string =>
      config.by === undefined
        ? selector
        : s.folded
          ? `other (${formatCount(Number(res.foldedGroups))} ${config.by} values)`
          : s.group === ""
            ? "(none)"
            : s.group;
    if (config.table) {
      const rows = times.map((t) => [
        new Date(t).toISOString().replace("T", " ").slice(0, 19),
        ...res.series.map((s) => formatCount(pointsOn(s, [t])[0] ?? 0)),
      ]);
      ctx.io.stdout.write(formatTable([{ header: "TIME (UTC)" }, ...res.series.map((s) => ({ header: label(s), right: true }))], rows));
      return 0;
    }
    const all = res.series.map((s) => pointsOn(s, times));
    const max = Math.max(0, ...all.flat());
    const first = times[0] ?? range.startMs;
    const last = times[times.length - 1] ?? range.endMs;
    ctx.io.stdout.write(
      `${new Date(first).toISOString().slice(0, 19)}Z → ${new Date(last).toISOString().slice(0, 19)}Z, step ${String(Number(res.stepMs) / 1000)}s, peak ${formatCount(max)} samples/step\n`,
    );
    ctx.io.stdout.write(
      formatTable(
        [{ header: config.by === undefined ? "SERIES" : config.by.toUpperCase() }, { header: "SAMPLES", right: true }, { header: "OVER TIME" }],
        res.series.map((s, k) => [label(s), formatCount(Number(s.total)), sparkline(all[k] ?? [], max)]),
      ),
    );
    return 0;
  },
};
