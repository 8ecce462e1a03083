/** The catalog RPCs: which services, label names and label values have samples in a range. */
import { readLabelNames, readLabelValues, readServices } from "@fleetprof/store";
import { selectorToFilter } from "../selector/index.js";
import type { Reads } from "./reads.js";
import { checkLabelName, resolveLimit, resolveRange } from "./request.js";
import type { QueryServiceImpl } from "./types.js";

const VALUES_DEFAULT = 100;
const VALUES_MAX = 10_000;

export function catalogHandlers({ store, limits, read }: Reads): Pick<QueryServiceImpl, "listServices" | "listLabelNames" | "listLabelValues"> {
  return {
    listServices: async (req, ctx) => {
      const rows = await readServices(store, resolveRange(req.range, limits), read(ctx));
      return { services: rows.map((r) => ({ name: r.name, versions: r.versions, samples: BigInt(r.samples), hosts: r.hosts })) };
    },

    listLabelNames: async (req, ctx) => {
      const filter = selectorToFilter(req.selector);
      return { names: await readLabelNames(store, { filter, window: resolveRange(req.range, limits), ...read(ctx) }) };
    },

    listLabelValues: async (req, ctx) => {
      const name = checkLabelName(req.name, "name");
      const filter = selectorToFilter(req.selector);
      const limit = resolveLimit(req.limit, VALUES_DEFAULT, VALUES_MAX);
      return readLabelValues(store, { filter, window: resolveRange(req.range, limits), name, limit, ...read(ctx) });
    },
  };
}
