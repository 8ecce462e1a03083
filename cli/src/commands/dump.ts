/** `fleetprof dump <selector> | --host H [--pid P]`: what every matching process's threads are doing now. */
import { toJsonString } from "@bufbuild/protobuf";
import { defineOptions, ErrorCode, FleetprofError } from "@fleetprof/common";
import { QueryServiceDumpResponseSchema } from "@fleetprof/proto";
import { expandSelector } from "../args/selector.js";
import { callApi, connectionFrom } from "../client/call.js";
import { connectionOptions } from "../client/client-options.js";
import { formatDump } from "../render/dump.js";
import { paint } from "../render/table.js";
import { parseArgs, positionals, type Command } from "./command.js";

const options = defineOptions({
  ...connectionOptions,
  host: { type: "string", doc: "ask this host's agent directly instead of finding processes from recent samples" },
  pid: { type: "list", doc: "with --host: only these pids (comma separated); default every process the agent profiles", default: [] },
  recent: { type: "duration", doc: "a selector matches processes that sent samples this recently", default: 5 * 60_000, min: 1000 },
  details: { type: "boolean", doc: "list every process and thread, not only the stack groups", default: false },
  native: { type: "boolean", doc: "native frames too (pauses each process while it is read)", default: false },
});

const USAGE = "fleetprof dump <selector> | --host H [--pid P] [--details] [--json]";

function parsePids(values: readonly string[]): number[] {
  return values.map((v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n <= 0 || n > 0xffffffff) throw new FleetprofError(ErrorCode.InvalidArgument, `--pid: "${v}" is not a process id`);
    return n;
  });
}

export const dumpCommand: Command = {
  name: "dump",
  summary: "What every matching process's threads are doing right now, identical stacks grouped",
  usage: USAGE,
  description:
    'Asks the agents (through the query API and NATS) to read each process\'s threads now (py-spy dump), then groups identical stacks: for "all the workers are stuck — where?".',
  examples: ["fleetprof dump shop", 'fleetprof dump \'{service="shop", version="2.0"}\' --details', "fleetprof dump --host web-3 --pid 4242"],
  options: () => options,
  run: async (argv, ctx) => {
    const loaded = parseArgs(options, argv, ctx.io);
    const { config } = loaded;
    const host = config.host ?? "";
    const pids = parsePids(config.pid);
    if (pids.length > 0 && host === "") throw new FleetprofError(ErrorCode.InvalidArgument, `--pid needs --host (the host the process runs on): ${USAGE}`);
    const [selectorText] = positionals(loaded, ["a selector"], USAGE, host === "" ? 0 : 1);
    const selector = selectorText === undefined ? "" : expandSelector(selectorText);
    const connection = connectionFrom(config);
    const label = host === "" ? `dumping ${selector}` : `dumping ${host}`;
    const res = await callApi(ctx, connection, label, (c) => c.dump({ selector, host, pids, native: config.native, recentMs: BigInt(config.recent) }));
    if (config.json) {
      ctx.io.stdout.write(toJsonString(QueryServiceDumpResponseSchema, res, { prettySpaces: 2 }) + "\n");
      return 0;
    }
    ctx.io.stdout.write(formatDump(res, paint(ctx.io.stdout.isTTY === true && ctx.io.env["NO_COLOR"] === undefined), config.details));
    return 0;
  },
};
