/** Options of the commands that produce a flame graph (flame, diff). */
import { defineOptions } from "@fleetprof/common";
import { connectionOptions, rangeOptions } from "../client/client-options.js";

export const outputOptions = defineOptions({
  output: { type: "string", doc: "write to this file (-o); the name picks the format: .html .svg .pb.gz .txt .json" },
  format: { type: "string", doc: "html, svg, pprof, collapsed or speedscope (overrides the file name; without -o, to stdout)" },
  "max-nodes": { type: "number", doc: "keep at most this many frames; smaller ones are folded (0: server default)", default: 0, min: 0 },
  "min-share": { type: "number", doc: "terminal tree: hide frames below this percentage of samples", default: 1, min: 0 },
  depth: { type: "number", doc: "terminal tree: deepest level shown", default: 64, min: 1 },
});

export const flameOptions = defineOptions({ ...connectionOptions, ...rangeOptions, ...outputOptions });

export const diffOptions = defineOptions({
  ...flameOptions,
  "base-since": { type: "string", doc: "baseline start (default: same range as the comparison)" },
  "base-until": { type: "string", doc: "baseline end (default: same range as the comparison)" },
});
