/** `fleetprof report <service>`: the newest version against the previous one, as text, JSON or HTML. */
import { toJsonString } from "@bufbuild/protobuf";
import { defineOptions, ErrorCode, FleetprofError } from "@fleetprof/common";
import { SortBy, VersionReportResponseSchema } from "@fleetprof/proto";
import { expandSelector } from "../args/selector.js";
import { apiRange, parseRange } from "../args/time.js";
import { callApi, connectionFrom } from "../client/call.js";
import { connectionOptions, rangeOptions } from "../client/client-options.js";
import { formatFor } from "../output/output-format.js";
import { formatBytes, writeOutput } from "../output/write-output.js";
import { renderReportHtml } from "../render/html/report-html.js";
import { paint } from "../render/table.js";
import { renderReportText } from "../render/version-report.js";
import { parseArgs, positionals, type Command } from "./command.js";

const options = defineOptions({
  ...connectionOptions,
  ...rangeOptions,
  since: { ...rangeOptions.since, doc: "look for versions from here (a duration before now, an ISO time or Unix seconds)", default: "7d" },
  duration: { type: "duration", doc: "how long each side covers (shortened to what both versions have)", default: 3_600_000, min: 60_000 },
  version: { type: "string", doc: "the version to report on (default: the newest seen)" },
  "base-version": { type: "string", doc: "the version to compare against (default: the one seen before it)" },
  selector: { type: "string", doc: 'further matchers for both sides, e.g. {region="eu"}' },
  sort: { type: "string", doc: "rank changes in share of total (a function and its callees) or self time", default: "total", choices: ["self", "total"] },
  limit: { type: "number", doc: "at most this many regressions, improvements, new and gone functions", default: 20, min: 1 },
  output: { type: "string", doc: "write the report to this file (-o); .html gives a page with the diff flame graph" },
  format: { type: "string", doc: "html (with -o or to stdout)" },
  "max-nodes": { type: "number", doc: "HTML: keep at most this many frames in the flame graph (0: server default)", default: 0, min: 0 },
});

const USAGE = "fleetprof report <service> [--duration 1h] [--version V --base-version V] [-o report.html]";

export const reportCommand: Command = {
  name: "report",
  summary: "What changed in the newest version: cost per process, significant regressions and improvements, functions new or gone",
  usage: USAGE,
  description:
    "Compares the newest version of a service (the one first seen last) with the previous one, over the same\nlength of time each, ending at each version's last sample. Changes carry 95 % intervals; only significant ones\nare listed. -o report.html adds the interactive diff flame graph.",
  examples: ["fleetprof report shop", "fleetprof report shop --duration 30m -o report.html", "fleetprof report shop --version 2.1 --base-version 2.0 --json"],
  options: () => options,
  run: async (argv, ctx) => {
    const loaded = parseArgs(options, argv, ctx.io);
    const [service] = positionals(loaded, ["a service"], USAGE);
    const { config } = loaded;
    const format = formatFor(config.output, config.format);
    if (format !== undefined && format !== "html")
      throw new FleetprofError(ErrorCode.InvalidArgument, `a report is written as HTML (.html) or printed (--json for scripts), not ${format}`);
    const range = parseRange(config.since, config.until, ctx.io.now());
    const res = await callApi(ctx, connectionFrom(config), "building the report", (c) =>
      c.versionReport({
        service: service ?? "",
        range: apiRange(range),
        durationMs: BigInt(config.duration),
        version: config.version ?? "",
        baseVersion: config.baseVersion ?? "",
        selector: config.selector === undefined ? "" : expandSelector(config.selector),
        sort: config.sort === "self" ? SortBy.SELF : SortBy.TOTAL,
        limit: config.limit,
        maxNodes: config.maxNodes,
      }),
    );
    const named = config.version !== undefined || config.baseVersion !== undefined;
    if (config.json && format === undefined) {
      writeOutput(ctx.io, config.output, toJsonString(VersionReportResponseSchema, res, { prettySpaces: 2 }) + "\n");
      return 0;
    }
    if (format === "html") {
      const html = renderReportHtml(res, named);
      const path = writeOutput(ctx.io, config.output, html);
      if (path !== undefined) ctx.io.stdout.write(`wrote ${path} (html, ${formatBytes(Buffer.byteLength(html))}, ${res.version} against ${res.baseVersion})\n`);
      return 0;
    }
    const p = paint(config.output === undefined && ctx.io.stdout.isTTY === true && ctx.io.env["NO_COLOR"] === undefined);
    writeOutput(ctx.io, config.output, renderReportText(res, p, named));
    return 0;
  },
};
