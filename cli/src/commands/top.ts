/** `fleetprof top <selector> [--diff <base>]`: hottest functions, or biggest changes. */
import { toJsonString } from "@bufbuild/protobuf";
import { defineOptions } from "@fleetprof/common";
import { DiffTopFunctionsResponseSchema, SortBy, TopFunctionsResponseSchema, type FunctionDiff } from "@fleetprof/proto";
import { expandSelector } from "../args/selector.js";
import { apiRange, parseRange } from "../args/time.js";
import { callApi, connectionFrom } from "../client/call.js";
import { connectionOptions, rangeOptions } from "../client/client-options.js";
import { formatCount, formatPercent, formatPoints } from "@fleetprof/web";
import { formatTable, paint } from "../render/table.js";
import { parseArgs, positionals, type Command } from "./command.js";

const options = defineOptions({
  ...connectionOptions,
  ...rangeOptions,
  diff: { type: "string", doc: "compare against this baseline selector: rank functions by change in share of self time" },
  limit: { type: "number", doc: "at most this many functions (per direction with --diff)", default: 20, min: 1 },
  sort: { type: "string", doc: "order by self or total time", default: "self", choices: ["self", "total"] },
});

const USAGE = "fleetprof top <selector> [--diff <base-selector>] [--limit 20]";

export const topCommand: Command = {
  name: "top",
  summary: "Functions by self and total time, or with --diff, the biggest regressions and improvements",
  usage: USAGE,
  examples: ["fleetprof top shop", "fleetprof top shop --sort total --limit 50", "fleetprof top shop@2.0 --diff shop@1.0"],
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
    if (config.diff !== undefined) {
      const baseSelector = expandSelector(config.diff);
      const res = await callApi(ctx, connection, "ranking changes", (c) => c.diffTopFunctions({ baseSelector, selector, range: timeRange, limit: config.limit }));
      if (config.json) {
        ctx.io.stdout.write(toJsonString(DiffTopFunctionsResponseSchema, res, { prettySpaces: 2 }) + "\n");
        return 0;
      }
      const rows = (list: FunctionDiff[], colour: (s: string) => string): string[][] =>
        list.map((f) => [formatPercent(f.baseSelfShare), formatPercent(f.selfShare), colour(formatPoints(f.deltaShare)), f.function, f.file]);
      const columns = [{ header: "BASE SELF", right: true }, { header: "SELF", right: true }, { header: "CHANGE", right: true }, { header: "FUNCTION" }, { header: "FILE" }];
      ctx.io.stdout.write(`baseline ${baseSelector}: ${formatCount(Number(res.baseTotal))} samples · comparison ${selector}: ${formatCount(Number(res.total))} samples\n\n`);
      ctx.io.stdout.write(p.bold("Regressions (share of self time grew)") + "\n");
      ctx.io.stdout.write(res.regressions.length === 0 ? "  none\n" : formatTable(columns, rows(res.regressions, p.red)));
      ctx.io.stdout.write("\n" + p.bold("Improvements (share of self time shrank)") + "\n");
      ctx.io.stdout.write(res.improvements.length === 0 ? "  none\n" : formatTable(columns, rows(res.improvements, p.blue)));
      return 0;
    }
    const res = await callApi(ctx, connection, "ranking functions", (c) =>
      c.topFunctions({ selector, range: timeRange, limit: config.limit, sort: config.sort === "total" ? SortBy.TOTAL : SortBy.SELF }),
    );
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
        [{ header: "SELF", right: true }, { header: "SELF %", right: true }, { header: "TOTAL", right: true }, { header: "TOTAL %", right: true }, { header: "FUNCTION" }, { header: "FILE" }],
        res.functions.map((f) => [formatCount(Number(f.self)), formatPercent(f.selfShare), formatCount(Number(f.total)), formatPercent(f.totalShare), f.function, f.file]),
      ),
    );
    ctx.io.stdout.write(p.dim(`${formatCount(Number(res.total))} samples in total`) + "\n");
    return 0;
  },
};
