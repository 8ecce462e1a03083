/** `fleetprof top <selector> [--diff <base>]`: hottest functions, or biggest changes. */
import { toJsonString } from "@bufbuild/protobuf";
import { defineOptions } from "@fleetprof/common";
import { DiffTopFunctionsResponseSchema, SortBy, TopFunctionsResponseSchema } from "@fleetprof/proto";
import { expandSelector } from "../args/selector.js";
import { apiRange, parseRange } from "../args/time.js";
import { callApi, connectionFrom } from "../client/call.js";
import { connectionOptions, rangeOptions } from "../client/client-options.js";
import { formatCount, formatPercent } from "@fleetprof/web";
import { describeBasis, describeCost, describeStatistics, diffTable, sortName } from "../render/diff-table.js";
import { formatTable, paint } from "../render/table.js";
import { parseArgs, positionals, type Command } from "./command.js";

const options = defineOptions({
  ...connectionOptions,
  ...rangeOptions,
  diff: { type: "string", doc: "compare against this baseline selector: rank functions by change in share of time (--sort), with 95 % intervals" },
  limit: { type: "number", doc: "at most this many functions (per direction with --diff)", default: 20, min: 1 },
  sort: { type: "string", doc: "order by self or total time (with --diff: by change in that share)", default: "self", choices: ["self", "total"] },
  significant: { type: "boolean", doc: "with --diff: only changes that are significant (5 % false discovery rate)", default: false },
});

const USAGE = "fleetprof top <selector> [--diff <base-selector>] [--sort self|total] [--significant] [--limit 20]";

export const topCommand: Command = {
  name: "top",
  summary: "Functions by self and total time, or with --diff, the biggest regressions and improvements",
  usage: USAGE,
  description:
    "With --diff, each change in share comes with a 95 % interval over the replicates (one per host, pid and\nminute); * marks changes significant after false-discovery control, the others are dimmed.",
  examples: [
    "fleetprof top shop",
    "fleetprof top shop --sort total --limit 50",
    "fleetprof top shop@2.0 --diff shop@1.0",
    "fleetprof top shop@2.0 --diff shop@1.0 --sort total --significant",
  ],
  options: () => options,
  run: async (argv, ctx) => {
    const loaded = parseArgs(options, argv, ctx.io);
    const [selectorText] = positionals(loaded, ["a selector"], USAGE);
    const { config } = loaded;
    const selector = expandSelector(selectorText ?? "");
    const range = parseRange(config.since, config.until, ctx.io.now());
    const timeRange = apiRange(range);
    const connection = connectionFrom(config);
    const p = paint(ctx.io.stdout.isTTY === true && ctx.io.env["NO_COLOR"] === undefined);
    const sort = config.sort === "total" ? SortBy.TOTAL : SortBy.SELF;
    if (config.diff !== undefined) {
      const baseSelector = expandSelector(config.diff);
      const res = await callApi(ctx, connection, "ranking changes", (c) =>
        c.diffTopFunctions({ baseSelector, selector, range: timeRange, limit: config.limit, sort, significantOnly: config.significant }),
      );
      if (config.json) {
        ctx.io.stdout.write(toJsonString(DiffTopFunctionsResponseSchema, res, { prettySpaces: 2 }) + "\n");
        return 0;
      }
      const out = ctx.io.stdout;
      const what = sortName(res.sort);
      out.write(
        `baseline ${baseSelector}: ${formatCount(Number(res.baseTotal))} samples · comparison ${selector}: ${formatCount(Number(res.total))} samples\n`,
      );
      out.write(describeCost(res.cost, res.basis?.mode || res.basis?.baseMode || "") + "\n");
      for (const line of [describeBasis(res.basis), ...describeStatistics(res.statistics, res.sort)]) if (line !== "") out.write(p.dim(line) + "\n");
      const none = config.significant ? "  none significant\n" : "  none\n";
      out.write("\n" + p.bold(`Regressions (share of ${what} time grew)`) + "\n");
      out.write(res.regressions.length === 0 ? none : diffTable(res.regressions, res.sort, p, p.red));
      out.write("\n" + p.bold(`Improvements (share of ${what} time shrank)`) + "\n");
      out.write(res.improvements.length === 0 ? none : diffTable(res.improvements, res.sort, p, p.blue));
      return 0;
    }
    const res = await callApi(ctx, connection, "ranking functions", (c) => c.topFunctions({ selector, range: timeRange, limit: config.limit, sort }));
    if (config.json) {
      ctx.io.stdout.write(toJsonString(TopFunctionsResponseSchema, res, { prettySpaces: 2 }) + "\n");
      return 0;
    }
    if (res.functions.length === 0) {
      ctx.io.stdout.write(`no samples for ${selector} in this range\n`);
      return 0;
    }
    ctx.io.stdout.write(
      formatTable(
        [
          { header: "SELF", right: true },
          { header: "SELF %", right: true },
          { header: "TOTAL", right: true },
          { header: "TOTAL %", right: true },
          { header: "FUNCTION" },
          { header: "FILE" },
        ],
        res.functions.map((f) => [
          formatCount(Number(f.self)),
          formatPercent(f.selfShare),
          formatCount(Number(f.total)),
          formatPercent(f.totalShare),
          f.function,
          f.file,
        ]),
      ),
    );
    ctx.io.stdout.write(p.dim(`${formatCount(Number(res.total))} samples in total`) + "\n");
    return 0;
  },
};
