/**
 * Shows a flame graph the way the user asked: an HTML or SVG file, JSON for scripts, or a
 * tree on the terminal.
 */
import { toJsonString } from "@bufbuild/protobuf";
import { ErrorCode, FleetprofError } from "@fleetprof/common";
import { FlameGraphSchema, type FlameGraph } from "@fleetprof/proto";
import type { Io } from "../io.js";
import { flameDataFrom, formatCount } from "@fleetprof/web";
import { renderFlameHtml } from "../render/html/flame-html.js";
import { renderFlameSvg } from "../render/svg.js";
import { renderFlameTree } from "../render/tree.js";
import type { FileFormat } from "./output-format.js";
import { formatBytes, writeOutput } from "./write-output.js";

export interface EmitFlameOptions {
  output: string | undefined;
  format: FileFormat | undefined;
  json: boolean;
  title: string;
  subtitle: string;
  baseLabel?: string;
  comparisonLabel?: string;
  /** Terminal tree: hide frames below this share. */
  minShare: number;
  depth: number;
}

export function emitFlame(io: Io, graph: FlameGraph, options: EmitFlameOptions): void {
  if (options.json && options.format === undefined) {
    writeOutput(io, options.output, toJsonString(FlameGraphSchema, graph, { prettySpaces: 2 }) + "\n");
    return;
  }
  const data = flameDataFrom(graph);
  let content: string;
  switch (options.format) {
    case undefined:
      writeOutput(
        io,
        options.output,
        renderFlameTree(data, {
          minShare: options.minShare,
          maxDepth: options.depth,
          colour: options.output === undefined && io.stdout.isTTY === true && io.env["NO_COLOR"] === undefined,
        }),
      );
      return;
    case "html":
      content = renderFlameHtml(data, {
        title: options.title,
        subtitle: options.subtitle,
        ...(options.baseLabel === undefined ? {} : { baseLabel: options.baseLabel }),
        ...(options.comparisonLabel === undefined ? {} : { comparisonLabel: options.comparisonLabel }),
      });
      break;
    case "svg":
      content = renderFlameSvg(data, { title: options.title, subtitle: options.subtitle });
      break;
    default:
      throw new FleetprofError(
        ErrorCode.InvalidArgument,
        `a ${graph.diff ? "diff" : "flame graph"} cannot be written as ${options.format}: use .html, .svg or --json`,
      );
  }
  const path = writeOutput(io, options.output, content);
  if (path !== undefined) {
    const samples = graph.diff ? `${formatCount(data.baseSum)} → ${formatCount(data.sum)} samples` : `${formatCount(data.sum)} samples`;
    io.stdout.write(`wrote ${path} (${options.format}, ${formatBytes(Buffer.byteLength(content))}, ${formatCount(data.name.length)} frames, ${samples})\n`);
  }
}

/** "2026-11-25 10:00:00 → 11:00:00 UTC" */
export function describeRange(startMs: number, endMs: number): string {
  const s = new Date(startMs).toISOString().replace("T", " ").slice(0, 19);
  const e = new Date(endMs).toISOString().replace("T", " ").slice(0, 19);
  return `${s} → ${s.slice(0, 10) === e.slice(0, 10) ? e.slice(11) : e} UTC`;
}
