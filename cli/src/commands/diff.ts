/** `fleetprof diff <base> <comparison>`: one tree with both sides, coloured by change. */
import { ErrorCode, FleetprofError } from "@fleetprof/common";
import { expandSelector } from "../args/selector.js";
import { apiRange, parseRange } from "../args/time.js";
import { callApi, connectionFrom } from "../client/call.js";
import { describeRange, emitFlame } from "../output/emit-flame.js";
import { formatFor } from "../output/output-format.js";
import { parseArgs, positionals, type Command } from "./command.js";
import { diffOptions } from "./flame-options.js";

const USAGE = "fleetprof diff <base-selector> <comparison-selector> [--since 1h] [-o FILE.html]";

export const diffCommand: Command = {
  name: "diff",
  summary: "Diff flame graph, baseline against comparison: red grew, blue shrank (by change in share of samples)",
  usage: USAGE,
  description:
    "Both sides cover the same time range unless --base-since/--base-until say otherwise. Each side is\nnormalised by its own total, so a busier version does not look slower.",
  examples: [
    "fleetprof diff shop@1.0 shop@2.0",
    "fleetprof diff shop@1.0 shop@2.0 -o diff.html",
    "fleetprof diff shop shop --base-since 2h --base-until 1h --since 1h",
  ],
  options: () => diffOptions,
  run: async (argv, ctx) => {
    const loaded = parseArgs(diffOptions, argv, ctx.io);
    const config = loaded.config;
    const [baseText, comparisonText] = positionals(loaded, ["a baseline selector", "a comparison selector"], USAGE);
    const baseSelector = expandSelector(baseText ?? "");
    const selector = expandSelector(comparisonText ?? "");
    const now = ctx.io.now();
    const range = parseRange(config.since, config.until, now);
    const baseRange =
      config.baseSince !== undefined || config.baseUntil !== undefined
        ? parseRange(config.baseSince ?? config.since, config.baseUntil ?? config.until, now)
        : undefined;
    const format = formatFor(config.output, config.format);
    const res = await callApi(ctx, connectionFrom(config), "building the diff", (c) =>
      c.diffFlameGraph({
        baseSelector,
        selector,
        range: apiRange(range),
        ...(baseRange === undefined ? {} : { baseRange: apiRange(baseRange) }),
        maxNodes: config.maxNodes,
      }),
    );
    const graph = res.flameGraph;
    if (graph === undefined) throw new FleetprofError(ErrorCode.Internal, "the query API answered without a flame graph");
    emitFlame(ctx.io, graph, {
      output: config.output,
      format,
      json: config.json,
      title: `${baseText ?? ""} → ${comparisonText ?? ""}`,
      subtitle: `baseline ${baseSelector}${baseRange === undefined ? "" : ` (${describeRange(baseRange.startMs, baseRange.endMs)})`} · comparison ${selector} · ${describeRange(range.startMs, range.endMs)}`,
      baseLabel: baseText ?? "",
      comparisonLabel: comparisonText ?? "",
      minShare: config.minShare / 100,
      depth: config.depth,
    });
    return 0;
  },
};
