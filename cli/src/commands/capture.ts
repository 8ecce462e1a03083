/** `fleetprof capture <selector> | --host H --pid P --duration 30s --rate 500`: one process, now, at a high rate. */
import { defineOptions, ErrorCode, FleetprofError } from "@fleetprof/common";
import { ExportFormat, type FlameGraph } from "@fleetprof/proto";
import { expandSelector } from "../args/selector.js";
import { callApi, connectionFrom } from "../client/call.js";
import { connectionOptions } from "../client/client-options.js";
import { describeRange, emitFlame } from "../output/emit-flame.js";
import { formatFor } from "../output/output-format.js";
import { formatBytes, writeOutput } from "../output/write-output.js";
import { formatCount } from "@fleetprof/web";
import { outputOptions } from "./flame-options.js";
import { parseArgs, positionals, type Command } from "./command.js";

const options = defineOptions({
  ...connectionOptions,
  ...outputOptions,
  host: { type: "string", doc: "the process's host (with --pid) instead of finding it from recent samples" },
  pid: { type: "number", doc: "the process id (with --host)", default: 0, min: 0 },
  duration: { type: "duration", doc: "how long to sample", default: 30_000, min: 1000 },
  rate: { type: "number", doc: "samples per second", default: 100, min: 1 },
  native: { type: "boolean", doc: "native frames too (pauses the process at each sample)", default: false },
  idle: { type: "boolean", doc: "idle threads too (wall-clock time, py-spy --idle)", default: false },
  recent: { type: "duration", doc: "a selector matches a process that sent samples this recently", default: 5 * 60_000, min: 1000 },
});

const USAGE = "fleetprof capture <selector> | --host H --pid P [--duration 30s] [--rate 500] [--native] [--idle] [-o FILE]";
const EXPORTS = { pprof: ExportFormat.PPROF, collapsed: ExportFormat.COLLAPSED, speedscope: ExportFormat.SPEEDSCOPE } as const;

export const captureCommand: Command = {
  name: "capture",
  summary: "Profile one process now at a high rate (a dedicated py-spy on its agent), then show its flame graph",
  usage: USAGE,
  description: "The samples are stored with a capture id, printed at the start: `fleetprof flame '{capture_id=\"ID\"}'` finds them later.",
  examples: [
    'fleetprof capture shop@2.0{host="web-3"} --duration 30s --rate 500 -o incident.html',
    "fleetprof capture --host web-3 --pid 4242 --duration 10s --idle",
  ],
  options: () => options,
  run: async (argv, ctx) => {
    const loaded = parseArgs(options, argv, ctx.io);
    const { config } = loaded;
    const host = config.host ?? "";
    if ((host === "") !== (config.pid === 0)) throw new FleetprofError(ErrorCode.InvalidArgument, `--host and --pid go together: ${USAGE}`);
    const [selectorText] = positionals(loaded, ["a selector"], USAGE, host === "" ? 0 : 1);
    if (host === "" && selectorText === undefined) throw new FleetprofError(ErrorCode.InvalidArgument, `missing a selector (or --host and --pid): ${USAGE}`);
    const selector = selectorText === undefined ? "" : expandSelector(selectorText);
    const format = formatFor(config.output, config.format);
    const connection = connectionFrom(config);
    const tty = ctx.io.stderr.isTTY === true;
    const say = (line: string): void => void ctx.io.stderr.write(`${tty ? "\r\u001b[2K" : ""}${line}\n`);
    const request = {
      selector,
      host,
      pid: config.pid,
      durationMs: config.duration,
      rateHz: config.rate,
      native: config.native,
      idle: config.idle,
      recentMs: BigInt(config.recent),
      maxNodes: config.maxNodes,
    };
    const { graph, captureId } = await callApi(ctx, connection, "capturing", async (c) => {
      let id = "";
      for await (const msg of c.capture(request, { deadlineMs: config.duration + config.timeout })) {
        id = msg.captureId;
        if (msg.event.case === "flameGraph") return { graph: msg.event.value, captureId: id };
        if (msg.event.case !== "progress") continue;
        const p = msg.event.value;
        const who = `${p.host} pid ${String(p.pid)}${p.service === "" ? "" : ` (${p.service})`}`;
        if (p.stage === "started") say(`capture ${id}: ${who}, ${String(p.rateHz)} Hz for ${String(p.durationMs / 1000)}s${p.native ? ", native" : ""}`);
        else if (p.stage === "sampling" && tty)
          ctx.io.stderr.write(`\r\u001b[2Ksampling… ${String(Number(p.elapsedMs) / 1000)}s of ${String(p.durationMs / 1000)}s`);
        else if (p.stage === "sampled") say(`sampled: ${formatCount(Number(p.samples))} samples${p.message === "" ? "" : ` (${p.message})`}`);
        else if (p.stage === "stored") say(`stored: ${formatCount(Number(p.samples))} samples, query them with {capture_id="${id}"}`);
      }
      throw new FleetprofError(ErrorCode.Internal, "the capture ended without a flame graph");
    });
    if (format === "pprof" || format === "collapsed" || format === "speedscope") {
      const res = await callApi(ctx, connection, "exporting", (c) =>
        c.export({ selector: `{capture_id="${captureId}"}`, range: { startUnixMs: BigInt(ctx.io.now() - 3_600_000) }, format: EXPORTS[format] }),
      );
      const path = writeOutput(ctx.io, config.output, res.data, format === "pprof");
      if (path !== undefined) ctx.io.stdout.write(`wrote ${path} (${format}, ${formatBytes(res.data.length)})\n`);
      return 0;
    }
    const flame: FlameGraph = graph;
    emitFlame(ctx.io, flame, {
      output: config.output,
      format,
      json: config.json,
      title: `capture ${captureId}`,
      subtitle: `${host === "" ? selector : `${host} pid ${String(config.pid)}`} · ${describeRange(Number(flame.firstSampleUnixMs), Number(flame.lastSampleUnixMs))}`,
      minShare: config.minShare / 100,
      depth: config.depth,
    });
    return 0;
  },
};
