/** The TimeSeries RPC: samples per step, optionally grouped by a label, shaped in series.ts. */
import { readSeries } from "@fleetprof/store";
import type { TimeSeriesRequest } from "@fleetprof/proto";
import { selectorToFilter } from "../selector/index.js";
import type { Reads } from "./reads.js";
import { checkLabelName, resolveLimit, resolveRange, resolveStep } from "./request.js";
import { shapeSeries } from "./series.js";
import type { QueryServiceImpl } from "./types.js";

const SERIES_DEFAULT = 10;
const SERIES_MAX = 100;

export function timeSeriesHandler({ store, limits, read }: Reads): Pick<QueryServiceImpl, "timeSeries"> {
  return {
    timeSeries: async (req: TimeSeriesRequest, ctx) => {
      const filter = selectorToFilter(req.selector);
      const window = resolveRange(req.range, limits);
      const step = resolveStep(req.stepMs, window);
      const groupBy = req.groupBy === "" ? undefined : checkLabelName(req.groupBy, "group_by");
      const limit = resolveLimit(req.limit, SERIES_DEFAULT, SERIES_MAX);
      const { rows, foldedGroups } = await readSeries(store, { filter, window, stepSeconds: step, groupBy, limit, ...read(ctx) });
      const series = shapeSeries(rows, window, step, groupBy !== undefined);
      return {
        stepMs: BigInt(step * 1000),
        foldedGroups: BigInt(foldedGroups),
        series: series.map((s) => ({
          group: s.group,
          folded: s.folded,
          total: BigInt(s.total),
          points: s.points.map((p) => ({ timeUnixMs: BigInt(p.time * 1000), samples: BigInt(p.samples) })),
        })),
      };
    },
  };
}
