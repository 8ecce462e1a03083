/** The RPCs over one merged profile: FlameGraph, TopFunctions and Export. */
import { create } from "@bufbuild/protobuf";
import { ErrorCode, FleetprofError } from "@fleetprof/common";
import { ExportFormat, FlameGraphResponseSchema, SortBy, type ExportRequest, type FlameGraphRequest, type TopFunctionsRequest } from "@fleetprof/proto";
import { exportCollapsed, exportPprof, exportSpeedscope } from "../export/index.js";
import { toFlameGraph } from "../profile/flame-graph.js";
import { topFunctions } from "../profile/top.js";
import { buildTree } from "../profile/tree.js";
import { selectorToFilter } from "../selector/index.js";
import type { Reads } from "./reads.js";
import { resolveLimit, resolveMaxNodes, resolveRange } from "./request.js";
import type { QueryServiceImpl } from "./types.js";

const TOP_DEFAULT = 50;
const TOP_MAX = 10_000;

export function profileHandlers({ limits, profileOf }: Reads): Pick<QueryServiceImpl, "flameGraph" | "topFunctions" | "export"> {
  return {
    flameGraph: async (req: FlameGraphRequest, ctx) => {
      const filter = selectorToFilter(req.selector);
      const maxNodes = resolveMaxNodes(req.maxNodes, limits);
      const profile = await profileOf(filter, resolveRange(req.range, limits), ctx);
      const graph = toFlameGraph(buildTree(profile), { maxNodes, diff: false, firstMs: profile.firstMs, lastMs: profile.lastMs, source: profile.source });
      const response = create(FlameGraphResponseSchema);
      response.flameGraph = graph;
      return response;
    },

    topFunctions: async (req: TopFunctionsRequest, ctx) => {
      const filter = selectorToFilter(req.selector);
      const profile = await profileOf(filter, resolveRange(req.range, limits), ctx);
      const sort = req.sort === SortBy.TOTAL ? "total" : "self";
      const rows = topFunctions(profile, sort, resolveLimit(req.limit, TOP_DEFAULT, TOP_MAX));
      const share = (v: number): number => (profile.total > 0 ? v / profile.total : 0);
      return {
        total: BigInt(profile.total),
        functions: rows.map((f) => ({
          function: f.function,
          file: f.file,
          self: BigInt(f.self),
          total: BigInt(f.total),
          selfShare: share(f.self),
          totalShare: share(f.total),
        })),
      };
    },

    export: async (req: ExportRequest, ctx) => {
      const filter = selectorToFilter(req.selector);
      const format = req.format;
      if (format !== ExportFormat.PPROF && format !== ExportFormat.COLLAPSED && format !== ExportFormat.SPEEDSCOPE) {
        throw new FleetprofError(ErrorCode.InvalidArgument, "format: choose EXPORT_FORMAT_PPROF, EXPORT_FORMAT_COLLAPSED or EXPORT_FORMAT_SPEEDSCOPE");
      }
      const profile = await profileOf(filter, resolveRange(req.range, limits), ctx);
      switch (format) {
        case ExportFormat.PPROF:
          return { data: exportPprof(profile), contentType: "application/vnd.google.protobuf+gzip", fileSuffix: ".pb.gz" };
        case ExportFormat.COLLAPSED:
          return { data: new TextEncoder().encode(exportCollapsed(profile)), contentType: "text/plain; charset=utf-8", fileSuffix: ".collapsed.txt" };
        case ExportFormat.SPEEDSCOPE:
          return {
            data: new TextEncoder().encode(exportSpeedscope(profile, req.selector === "" ? "fleetprof" : req.selector)),
            contentType: "application/json",
            fileSuffix: ".speedscope.json",
          };
      }
    },
  };
}
