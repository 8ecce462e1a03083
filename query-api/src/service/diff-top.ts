/**
 * The DiffTopFunctions RPC: both sides read per replicate (samples per (host, pid, minute) and
 * window coverage), compared in profile/replicate-diff.ts, and turned into the response.
 * Captures stay out unless a selector names a capture id.
 */
import { Presence, SortBy, type DiffTopFunctionsRequest, type DiffTopFunctionsResponseSchema, type FunctionDiffSchema } from "@fleetprof/proto";
import type { MessageInitShape } from "@bufbuild/protobuf";
import {
  readCoverages,
  readReplicates,
  replicatePlan,
  replicateUnit,
  type CoverageRows,
  type Plan,
  type ReadTarget,
  type SampleFilter,
  type TimeWindow,
} from "@fleetprof/store";
import type { CallContext } from "../grpc/adapter.js";
import { interval, minDetectable, type FunctionChange, type SortKey } from "../profile/diff-stats.js";
import { FunctionIndex } from "../profile/function-index.js";
import { diffPrepared, prepareSide, type ReplicateDiff, type SideData } from "../profile/replicate-diff.js";
import { matchersToFilter, parseSelector, type Matcher } from "../selector/index.js";
import { isZeroRange, resolveLimit, resolveRange, type Limits } from "./request.js";

const TOP_DEFAULT = 50;
const TOP_MAX = 10_000;

export interface DiffDeps {
  store: ReadTarget;
  limits: Limits;
}

/** Fleet aggregates leave ad-hoc captures out unless the selector asks for a capture id. */
export function withoutCaptures(matchers: readonly Matcher[]): Matcher[] {
  return matchers.some((m) => m.label === "capture_id") ? [...matchers] : [...matchers, { label: "capture_id", op: "=", value: "" }];
}

/** What one side reads: its replicate plan, the samples' filter and the coverage's. */
function sidePlan(matchers: readonly Matcher[], window: TimeWindow): { plan: Plan; samples: SampleFilter; coverage: SampleFilter } {
  const plan = replicatePlan(window, matchersToFilter(matchers));
  const raw = plan.parts.every((p) => p.table === "samples");
  return {
    plan,
    samples: matchersToFilter(raw ? withoutCaptures(matchers) : matchers),
    coverage: matchersToFilter(withoutCaptures(matchers).filter((m) => m.label !== "thread")),
  };
}

/**
 * Samples and window coverage of each side, over the same replicate plan. Coverage has no
 * `thread`: a process is observed whichever threads are counted. Captures stay out of the raw
 * table's samples and of coverage (the rollups hold no capture id to filter on). The sides'
 * coverage comes in one query, asked first (chDB runs parameterised queries one at a time), then
 * each side's samples: the first side's answer is summed while the next one's query runs.
 */
export function readSides(deps: DiffDeps, sides: readonly { matchers: readonly Matcher[]; window: TimeWindow }[], ctx: CallContext): Promise<SideData>[] {
  const read = { signal: ctx.signal, timeoutMs: ctx.remainingMs(), maxMemoryBytes: deps.limits.maxQueryMemoryBytes };
  const plans = sides.map((s) => sidePlan(s.matchers, s.window));
  const coverage = readCoverages(
    deps.store,
    plans.map((p) => ({ filter: p.coverage, plan: p.plan })),
    read,
  );
  // a failed coverage read is the caller's through each side's promise
  coverage.catch(() => undefined);
  return plans.map(async (p, i) => {
    const rep = await readReplicates(deps.store, { filter: p.samples, plan: p.plan, maxStacks: deps.limits.maxStacks, ...read });
    const cov = (await coverage)[i] as CoverageRows;
    return { rep, cov, unit: replicateUnit(p.plan) };
  });
}

/** Samples and window coverage of one side (see {@link readSides}). */
export async function readSide(deps: DiffDeps, matchers: readonly Matcher[], window: TimeWindow, ctx: CallContext): Promise<SideData> {
  return (await readSides(deps, [{ matchers, window }], ctx)[0]) as SideData;
}

export function sortKey(sort: SortBy, fallback: SortKey = "self"): SortKey {
  return sort === SortBy.TOTAL ? "total" : sort === SortBy.SELF ? "self" : fallback;
}

const UNITS: Record<string, string> = { cpu: "CPU seconds", wall: "thread seconds", gil: "GIL seconds" };

/** Notes about the data the statistics could not see. */
function retentionNote(store: ReadTarget, windows: readonly TimeWindow[]): string[] {
  const ttl = (store as { ttl?: { rawSeconds: number } }).ttl;
  if (ttl === undefined) return [];
  const oldest = Date.now() - ttl.rawSeconds * 1000;
  return windows.some((w) => w.startMs < oldest)
    ? [
        `part of the range is older than the raw data kept (${String(Math.round(ttl.rawSeconds / 86400))} d, option raw-ttl): intervals and cost read raw samples, so that part is not compared`,
      ]
    : [];
}

const PRESENCE = { both: Presence.BOTH, base: Presence.BASE_ONLY, comparison: Presence.COMPARISON_ONLY } as const;

export function toFunctionDiff(c: FunctionChange): MessageInitShape<typeof FunctionDiffSchema> {
  const [ciLow, ciHigh] = interval(c);
  return {
    function: c.function,
    file: c.file,
    baseSelf: BigInt(c.baseSelf),
    self: BigInt(c.self),
    baseSelfShare: c.baseSelfShare,
    selfShare: c.selfShare,
    deltaShare: c.deltaShare,
    baseTotal: BigInt(c.baseTotal),
    total: BigInt(c.total),
    baseTotalShare: c.baseTotalShare,
    totalShare: c.totalShare,
    ciLow,
    ciHigh,
    significant: c.significant,
    pValue: c.pValue,
    minDetectable: minDetectable(c),
    presence: PRESENCE[c.presence],
    baseSeconds: c.baseSeconds,
    seconds: c.seconds,
    tested: c.tested,
  };
}

/** The response message of a replicate diff. */
export function toDiffResponse(
  d: ReplicateDiff,
  sort: SortKey,
  replicateUnit: string,
  notes: readonly string[] = [],
): MessageInitShape<typeof DiffTopFunctionsResponseSchema> {
  const { stats, cost, basis } = d;
  const unit = UNITS[basis.mode || basis.baseMode] ?? "seconds";
  return {
    regressions: d.regressions.map(toFunctionDiff),
    improvements: d.improvements.map(toFunctionDiff),
    baseTotal: BigInt(d.base.samples),
    total: BigInt(d.comparison.samples),
    sort: sort === "total" ? SortBy.TOTAL : SortBy.SELF,
    statistics: {
      baseReplicates: d.base.replicates,
      replicates: d.comparison.replicates,
      baseProcesses: d.base.processes,
      processes: d.comparison.processes,
      functionsTested: stats.tested,
      functionsSignificant: stats.significant,
      minDetectableShare: stats.minDetectableShare,
      significanceAvailable: stats.significanceAvailable,
      minReplicates: stats.minReplicates,
      confidence: 0.95,
      fdr: stats.fdr,
      method:
        "ratio estimates over replicates, linearised variance (clustered by process from 5 processes a side when larger), Welch t intervals, Benjamini–Hochberg",
      notes: [...notes, ...stats.notes],
      replicateUnit,
    },
    cost: {
      available: cost.available,
      unit,
      baseSeconds: cost.base.seconds,
      seconds: cost.comparison.seconds,
      baseProcessSeconds: cost.base.processSeconds,
      processSeconds: cost.comparison.processSeconds,
      baseCores: cost.base.cores,
      cores: cost.comparison.cores,
      deltaCores: cost.deltaCores,
      ciLow: cost.ciLow,
      ciHigh: cost.ciHigh,
      relativeChange: cost.relativeChange,
      relativeCiLow: cost.relativeCiLow,
      relativeCiHigh: cost.relativeCiHigh,
      significant: cost.significant,
      baseCoverage: cost.base.coverage,
      coverage: cost.comparison.coverage,
    },
    basis: {
      baseMode: basis.baseMode,
      mode: basis.mode,
      baseRatesHz: basis.baseRates,
      ratesHz: basis.rates,
      ratesNormalised: basis.ratesNormalised,
      note: basis.note,
    },
  };
}

/** The DiffTopFunctions handler: base range defaults to the comparison's. */
export async function diffTop(
  req: DiffTopFunctionsRequest,
  deps: DiffDeps,
  ctx: CallContext,
): Promise<MessageInitShape<typeof DiffTopFunctionsResponseSchema>> {
  const baseMatchers = parseSelector(req.baseSelector);
  const matchers = parseSelector(req.selector);
  const window = resolveRange(req.range, deps.limits);
  const baseWindow = isZeroRange(req.baseRange) ? window : resolveRange(req.baseRange, deps.limits, Date.now(), "base_range");
  const sort = sortKey(req.sort);
  // each side is summed as soon as its reads are in, while the other side's reads still run
  const index = new FunctionIndex();
  const [baseData, data] = readSides(
    deps,
    [
      { matchers: baseMatchers, window: baseWindow },
      { matchers, window },
    ],
    ctx,
  ) as [Promise<SideData>, Promise<SideData>];
  const [base, cmp] = await Promise.all([baseData.then((s) => prepareSide(s, index, sort)), data.then((s) => prepareSide(s, index, sort))]);
  const d = diffPrepared(base, cmp, index, { sort, limit: resolveLimit(req.limit, TOP_DEFAULT, TOP_MAX), significantOnly: req.significantOnly });
  const unit = base.data.unit === cmp.data.unit ? cmp.data.unit : `${base.data.unit} (baseline), ${cmp.data.unit} (comparison)`;
  return toDiffResponse(d, sort, unit, retentionNote(deps.store, [baseWindow, window]));
}
