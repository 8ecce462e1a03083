/** `fleetprof flame <selector>`: every matching sample merged into one flame graph. */
import { ErrorCode, FleetprofError } from "@fleetprof/common";
import { ExportFormat } from "@fleetprof/proto";
import { expandSelector } from "../args/selector.js";
import { apiRange, parseRange } from "../args/time.js";
import { callApi, connectionFrom } from "../client/call.js";
import { describeRange, emitFlame } from "../output/emit-flame.js";
import { formatFor } from "../output/output-format.js";
import { formatBytes, writeOutput } from "../output/write-output.js";
import { parseArgs, positionals, type Command } from "./command.js";
import { flameOptions } from "./flame-options.js";

const USAGE = "fleetprof flame <selector> [--since 1h] [--until now] [-o FILE]";

const EXPORTS = { pprof: ExportFormat.PPROF, collapsed: ExportFormat.COLLAPSED, speedscope: ExportFormat.SPEEDSCOPE } as const;

export const flameCommand: Command = {
  name: "flame",
  summary: "Flame graph of every matching sample: a tree here, or a file (HTML, SVG, pprof, collapsed, speedscope)",
  usage: USAGE,
  description: 'The selector is a service name (shop), name@version (shop@2.0), or a full selector ({service="shop", host!="h3"}).',
  examples: [
    "fleetprof flame shop",
    "fleetprof flame shop@2.0 --since 15m -o shop.html",
    'fleetprof flame \'{service="shop", version=~"2\\\\..*"}\' --since 2026-11-25T10:00:00Z --until 2026-11-25T11:00:00Z -o shop.svg',
    "fleetprof flame shop -o shop.pb.gz && go tool pprof -http=: shop.pb.gz",
  ],
  options: () => flameOptions,
  run: async (argv, ctx) => {
    const loaded = parseArgs(flameOptions, argv, ctx.io);
    const config = loaded.config;
    const [selectorText] = positionals(loaded, ["a selector"], USAGE);
    const selector = expandSelector(selectorText ?? "");
    const range = parseRange(config.since, config.until, ctx.io.now());
    const format = formatFor(config.output, config.format);
    const timeRange = apiRange(range);
    const connection = connectionFrom(config);
    if (format === "pprof" || format === "collapsed" || format === "speedscope") {
      const res = await callApi(ctx, connection, "exporting", (c) => c.export({ selector, range: timeRange, format: EXPORTS[format] }));
      const path = writeOutput(ctx.io, config.output, res.data, format === "pprof");
      if (path !== undefined) ctx.io.stdout.write(`wrote ${path} (${format}, ${formatBytes(res.data.length)})\n`);
      return 0;
    }
    const res = await callApi(ctx, connection, "building the flame graph", (c) => c.flameGraph({ selector, range: timeRange, maxNodes: config.maxNodes }));
    const graph = res.flameGraph;
    if (graph === undefined) throw new FleetprofError(ErrorCode.Internal, "the query API answered without a flame graph");
    emitFlame(ctx.io, graph, {
      output: config.output,
      format,
      json: config.json,
      title: selector,
      subtitle: `${describeRange(range.startMs, range.endMs)}${graph.source === "" ? "" : ` · data: ${graph.source}`}`,
      minShare: config.minShare / 100,
      depth: config.depth,
    });
    return 0;
  },
};
