/** `fleetprof services`: what is being profiled. */
import { toJsonString } from "@bufbuild/protobuf";
import { defineOptions } from "@fleetprof/common";
import { ListServicesResponseSchema } from "@fleetprof/proto";
import { apiRange, parseRange } from "../args/time.js";
import { callApi, connectionFrom } from "../client/call.js";
import { connectionOptions, rangeOptions } from "../client/client-options.js";
import { formatCount } from "@fleetprof/web";
import { formatTable } from "../render/table.js";
import { parseArgs, positionals, type Command } from "./command.js";

const options = defineOptions({ ...connectionOptions, ...rangeOptions });

export const servicesCommand: Command = {
  name: "services",
  summary: "Services seen in the time range, with their versions, hosts and samples",
  usage: "fleetprof services [--since 1h]",
  examples: ["fleetprof services", "fleetprof services --since 7d --json"],
  options: () => options,
  run: async (argv, ctx) => {
    const loaded = parseArgs(options, argv, ctx.io);
    positionals(loaded, [], "fleetprof services [--since 1h]");
    const { config } = loaded;
    const range = parseRange(config.since, config.until, ctx.io.now());
    const res = await callApi(ctx, connectionFrom(config), "listing services", (c) => c.listServices({ range: apiRange(range) }));
    if (config.json) {
      ctx.io.stdout.write(toJsonString(ListServicesResponseSchema, res, { prettySpaces: 2 }) + "\n");
      return 0;
    }
    if (res.services.length === 0) {
      ctx.io.stdout.write(`no services with samples since ${config.since} (is an agent running? try --since 24h)\n`);
      return 0;
    }
    const services = [...res.services].sort((a, b) => Number(b.samples - a.samples));
    ctx.io.stdout.write(
      formatTable(
        [{ header: "SERVICE" }, { header: "SAMPLES", right: true }, { header: "HOSTS", right: true }, { header: "VERSIONS" }],
        services.map((s) => [s.name, formatCount(Number(s.samples)), String(s.hosts), s.versions.join(", ")]),
      ),
    );
    return 0;
  },
};
