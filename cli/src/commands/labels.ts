/** `fleetprof labels [name]`: label names, or the values of one label. */
import { toJsonString } from "@bufbuild/protobuf";
import { defineOptions } from "@fleetprof/common";
import { ListLabelNamesResponseSchema, ListLabelValuesResponseSchema } from "@fleetprof/proto";
import { expandSelector } from "../args/selector.js";
import { apiRange, parseRange } from "../args/time.js";
import { callApi, connectionFrom } from "../client/call.js";
import { connectionOptions, rangeOptions } from "../client/client-options.js";
import { parseArgs, positionals, type Command } from "./command.js";

const options = defineOptions({
  ...connectionOptions,
  ...rangeOptions,
  selector: { type: "string", doc: "only samples matching this selector (a service name or {…})", default: "{}" },
  limit: { type: "number", doc: "at most this many values", default: 1000, min: 1 },
});

const USAGE = "fleetprof labels [name] [--selector SEL]";

export const labelsCommand: Command = {
  name: "labels",
  summary: "Label names on matching samples, or the values of one label",
  usage: USAGE,
  examples: ["fleetprof labels", "fleetprof labels version --selector shop", "fleetprof labels host --since 24h"],
  options: () => options,
  run: async (argv, ctx) => {
    const loaded = parseArgs(options, argv, ctx.io);
    const [name] = positionals(loaded, ["a label name"], USAGE, 1);
    const { config } = loaded;
    const range = parseRange(config.since, config.until, ctx.io.now());
    const timeRange = apiRange(range);
    const selector = config.selector === "{}" ? "{}" : expandSelector(config.selector);
    const connection = connectionFrom(config);
    if (name === undefined) {
      const res = await callApi(ctx, connection, "listing labels", (c) => c.listLabelNames({ selector, range: timeRange }));
      ctx.io.stdout.write(config.json ? toJsonString(ListLabelNamesResponseSchema, res, { prettySpaces: 2 }) + "\n" : res.names.map((n) => `${n}\n`).join(""));
      return 0;
    }
    const res = await callApi(ctx, connection, `listing values of ${name}`, (c) =>
      c.listLabelValues({ name, selector, range: timeRange, limit: config.limit }),
    );
    if (config.json) {
      ctx.io.stdout.write(toJsonString(ListLabelValuesResponseSchema, res, { prettySpaces: 2 }) + "\n");
      return 0;
    }
    ctx.io.stdout.write(res.values.map((v) => `${v}\n`).join(""));
    if (res.truncated) ctx.io.stderr.write(`(more values exist than the ${String(res.values.length)} shown: raise --limit or narrow --selector)\n`);
    return 0;
  },
};
