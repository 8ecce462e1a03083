/**
 * The fleetprof.v1.QueryService handlers: request checking, the read SQL, and the profile
 * computations, wired together. Errors are FleetprofErrors; the gRPC adapter maps them.
 */
import { ErrorCode, FleetprofError } from "@fleetprof/common";
import { create } from "@bufbuild/protobuf";
import {
  DiffFlameGraphResponseSchema,
  ExportFormat,
  FlameGraphResponseSchema,
  SortBy,
  type DiffFlameGraphRequest,
  type DiffTopFunctionsRequest,
  type ExportRequest,
  type FlameGraphRequest,
  type TimeSeriesRequest,
  type TopFunctionsRequest,
} from "@fleetprof/proto";
import { readLabelNames, readLabelValues, readSampling, readSeries, readServices, readStackProfile, type ReadTarget, type SampleFilter, type StackProfile, type TimeWindow } from "@fleetprof/store";
import type { CallContext } from "../grpc/adapter.js";
import type { NatsLink } from "../control/nats-link.js";
import { exportCollapsed, exportPprof, exportSpeedscope } from "../export/index.js";
import { toFlameGraph } from "../profile/flame-graph.js";
import { diffBasis, type DiffBasis } from "../profile/diff-basis.js";
import { topFunctions } from "../profile/top.js";
import { buildDiffTree, buildTree } from "../profile/tree.js";
import { matchersToFilter, parseSelector, selectorToFilter } from "../selector/index.js";
import { diffTop } from "./diff-top.js";
import { checkLabelName, isZeroRange, resolveLimit, resolveMaxNodes, resolveRange, resolveStep, type Limits } from "./request.js";
import { admitted, type Admissions } from "./admission.js";
import { dump, type DumpCaps } from "./dump.js";
import { shapeSeries } from "./series.js";
import { versionReport } from "./version-report.js";
import type { QueryServiceImpl } from "./types.js";

export interface QueryServiceOptions {
  store: ReadTarget;
  limits: Limits;
  /** Concurrency bounds every call goes through (shared with the Capture service). */
  admissions: Admissions;
  /** The agents' control subjects (dump, capture). */
  link: NatsLink;
  /** How long dump waits for each host's agent unless the request says, ms. */
  dumpTimeoutMs: number;
  /** How many hosts, and processes per host, one dump asks. */
  dumpCaps: DumpCaps;
  /** Reads the raw table only (tests comparing against rollups). */
  rawOnly?: boolean;
}

const TOP_DEFAULT = 50;
const TOP_MAX = 10_000;
const VALUES_DEFAULT = 100;
const VALUES_MAX = 10_000;
const SERIES_DEFAULT = 10;
const SERIES_MAX = 100;

export function createQueryService(options: QueryServiceOptions): QueryServiceImpl {
  const { store, limits } = options;
  const source = options.rawOnly === true ? ("raw" as const) : ("auto" as const);
  const read = (ctx: CallContext): { signal: AbortSignal; timeoutMs: number; maxMemoryBytes: number; source: "auto" | "raw" } => ({
    signal: ctx.signal,
    timeoutMs: ctx.remainingMs(),
    maxMemoryBytes: limits.maxQueryMemoryBytes,
    source,
  });

  const profileOf = (filter: SampleFilter, window: TimeWindow, ctx: CallContext): Promise<StackProfile> =>
    readStackProfile(store, { filter, window, maxStacks: limits.maxStacks, ...read(ctx) });

  /** Both sides of a diff flame graph (base range defaults to the comparison's), and how each was sampled (coverage has no `thread`). */
  const diffSides = async (req: DiffFlameGraphRequest, ctx: CallContext): Promise<{ sides: [StackProfile, StackProfile]; basis: DiffBasis }> => {
    const window = resolveRange(req.range, limits);
    const baseWindow = isZeroRange(req.baseRange) ? window : resolveRange(req.baseRange, limits, Date.now(), "base_range");
    const sides = [
      { matchers: parseSelector(req.baseSelector), window: baseWindow, p: "b" },
      { matchers: parseSelector(req.selector), window, p: "c" },
    ];
    const [profiles, sampling] = await Promise.all([
      Promise.all(sides.map((s) => profileOf(matchersToFilter(s.matchers, `${s.p}s`), s.window, ctx))),
      readSampling(
        store,
        sides.map((s) => ({ filter: matchersToFilter(s.matchers, `${s.p}m`), coverageFilter: matchersToFilter(s.matchers.filter((m) => m.label !== "thread"), `${s.p}r`), window: s.window })),
        read(ctx),
      ),
    ]);
    const [b, c] = sampling;
    return { sides: [profiles[0] as StackProfile, profiles[1] as StackProfile], basis: diffBasis(b?.modes ?? [], c?.modes ?? [], b?.rates ?? [], c?.rates ?? [], "samples") };
  };

  const handlers: QueryServiceImpl = {
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

    flameGraph: async (req: FlameGraphRequest, ctx) => {
      const filter = selectorToFilter(req.selector);
      const maxNodes = resolveMaxNodes(req.maxNodes, limits);
      const profile = await profileOf(filter, resolveRange(req.range, limits), ctx);
      const graph = toFlameGraph(buildTree(profile), { maxNodes, diff: false, firstMs: profile.firstMs, lastMs: profile.lastMs, source: profile.source });
      const response = create(FlameGraphResponseSchema);
      response.flameGraph = graph;
      return response;
    },

    diffFlameGraph: async (req: DiffFlameGraphRequest, ctx) => {
      const maxNodes = resolveMaxNodes(req.maxNodes, limits);
      const { sides: [base, cmp], basis } = await diffSides(req, ctx);
      const firsts = [base.firstMs, cmp.firstMs].filter((t) => t > 0);
      const graph = toFlameGraph(buildDiffTree(base, cmp), {
        maxNodes,
        diff: true,
        firstMs: firsts.length === 0 ? 0 : Math.min(...firsts),
        lastMs: Math.max(base.lastMs, cmp.lastMs),
        source: cmp.source,
      });
      const response = create(DiffFlameGraphResponseSchema, { basis: { baseMode: basis.baseMode, mode: basis.mode, baseRatesHz: basis.baseRates, ratesHz: basis.rates, note: basis.note } });
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
        functions: rows.map((f) => ({ function: f.function, file: f.file, self: BigInt(f.self), total: BigInt(f.total), selfShare: share(f.self), totalShare: share(f.total) })),
      };
    },

    diffTopFunctions: (req: DiffTopFunctionsRequest, ctx) => diffTop(req, { store, limits }, ctx),

    versionReport: (req, ctx) => versionReport(req, { store, limits }, ctx),

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
        series: series.map((s) => ({ group: s.group, folded: s.folded, total: BigInt(s.total), points: s.points.map((p) => ({ timeUnixMs: BigInt(p.time * 1000), samples: BigInt(p.samples) })) })),
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
          return { data: new TextEncoder().encode(exportSpeedscope(profile, req.selector === "" ? "fleetprof" : req.selector)), contentType: "application/json", fileSuffix: ".speedscope.json" };
      }
    },

    dump: (req, ctx) => dump(req, { store, link: options.link, timeoutMs: options.dumpTimeoutMs, caps: options.dumpCaps, maxMemoryBytes: limits.maxQueryMemoryBytes }, ctx),
  };
  return admitted(handlers, options.admissions.queries, { dump: options.admissions.control });
}
