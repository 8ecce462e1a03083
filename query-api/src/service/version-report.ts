/**
 * The VersionReport RPC: a service's newest version (latest first sample) against the previous
 * one seen — or two named versions — each over the same length of time ending at its last
 * sample: cost per process, significant regressions and improvements, functions new or gone,
 * and the diff flame graph.
 */
import { ErrorCode, FleetprofError } from "@fleetprof/common";
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { VersionReportRequest, VersionReportResponseSchema } from "@fleetprof/proto";
import { readStackProfile, readVersions, type TimeWindow, type VersionRow } from "@fleetprof/store";
import type { CallContext } from "../grpc/adapter.js";
import type { FunctionChange } from "../profile/diff-stats.js";
import { toFlameGraph } from "../profile/flame-graph.js";
import { diffReplicates } from "../profile/replicate-diff.js";
import { buildDiffTree } from "../profile/tree.js";
import { matchersToFilter, parseSelector, type Matcher } from "../selector/index.js";
import { readSide, sortKey, toDiffResponse, toFunctionDiff, withoutCaptures, type DiffDeps } from "./diff-top.js";
import { isZeroRange, resolveLimit, resolveMaxNodes, resolveRange } from "./request.js";

const MINUTE = 60_000;
const HOUR = 3_600_000;
const LOOKBACK_MS = 7 * 86_400_000;
const LIMIT_DEFAULT = 20;
const LIMIT_MAX = 1000;

function invalid(message: string): FleetprofError {
  return new FleetprofError(ErrorCode.InvalidArgument, message);
}

/** The newest and the previous version (by first sample), or the two the request names. */
export function pickVersions(rows: readonly VersionRow[], service: string, base: string, version: string): [VersionRow, VersionRow] {
  const find = (v: string): VersionRow => {
    const row = rows.find((r) => r.version === v);
    if (row === undefined)
      throw new FleetprofError(
        ErrorCode.NotFound,
        `version "${v}" of ${service} has no raw samples in the range (versions seen: ${rows.map((r) => r.version).join(", ") || "none"})`,
      );
    return row;
  };
  const newest = version === "" ? rows[0] : find(version);
  const previous = base === "" ? rows.find((r) => r !== newest) : find(base);
  if (newest === undefined || previous === undefined || newest === previous) {
    throw new FleetprofError(
      ErrorCode.NotFound,
      rows.length === 0
        ? `no raw samples of ${service} in the range: check the service name (fleetprof services) or widen the range`
        : `only one version of ${service} has raw samples in the range (${rows[0]?.version ?? ""}): nothing to compare; widen the range or name --base-version`,
    );
  }
  return [previous, newest];
}

/** Each side: the same length, ending at the end of the minute of its version's last sample. */
export function sideWindows(previous: VersionRow, newest: VersionRow, durationMs: number): [TimeWindow, TimeWindow] {
  const end = (r: VersionRow): number => Math.floor(r.lastMs / MINUTE) * MINUTE + MINUTE;
  const span = (r: VersionRow): number => end(r) - Math.floor(r.firstMs / MINUTE) * MINUTE;
  const length = Math.max(MINUTE, Math.floor(Math.min(durationMs, span(previous), span(newest)) / MINUTE) * MINUTE);
  return [
    { startMs: end(previous) - length, endMs: end(previous) },
    { startMs: end(newest) - length, endMs: end(newest) },
  ];
}

function heaviest(list: FunctionChange[], side: "base" | "comparison", limit: number): FunctionChange[] {
  const share = (c: FunctionChange): number => (side === "base" ? c.baseTotalShare : c.totalShare);
  return list
    .filter((c) => c.presence === side)
    .sort((a, b) => share(b) - share(a) || a.function.localeCompare(b.function))
    .slice(0, limit);
}

const range = (w: TimeWindow) => ({ startUnixMs: BigInt(w.startMs), endUnixMs: BigInt(w.endMs) });

export async function versionReport(
  req: VersionReportRequest,
  deps: DiffDeps,
  ctx: CallContext,
): Promise<MessageInitShape<typeof VersionReportResponseSchema>> {
  if (req.service === "") throw invalid("service is required: name the service to report on (fleetprof services lists them)");
  const extra = parseSelector(req.selector);
  const named = extra.find((m) => m.label === "service" || m.label === "version");
  if (named !== undefined) throw invalid(`selector: ${named.label} is chosen by the report; use the service and version fields instead`);
  const now = Date.now();
  const lookback = isZeroRange(req.range)
    ? { startMs: now - Math.min(LOOKBACK_MS, deps.limits.maxRangeMs), endMs: now }
    : resolveRange(req.range, deps.limits, now);
  const read = { signal: ctx.signal, timeoutMs: ctx.remainingMs(), maxMemoryBytes: deps.limits.maxQueryMemoryBytes };
  const service: Matcher[] = [{ label: "service", op: "=", value: req.service }, ...extra];
  const versions = await readVersions(deps.store, { filter: matchersToFilter(withoutCaptures(service)), window: lookback, source: "raw", ...read });
  const [previous, newest] = pickVersions(versions, req.service, req.baseVersion, req.version);
  const durationMs = req.durationMs === 0n ? HOUR : Number(req.durationMs);
  if (durationMs < MINUTE) throw invalid(`duration_ms must be at least one minute (60000), got ${String(req.durationMs)}`);
  const [baseWindow, window] = sideWindows(previous, newest, durationMs);
  const side = (v: VersionRow): Matcher[] => [...service, { label: "version", op: "=", value: v.version }];
  const limit = resolveLimit(req.limit, LIMIT_DEFAULT, LIMIT_MAX);
  const sort = sortKey(req.sort, "total");
  const maxNodes = resolveMaxNodes(req.maxNodes, deps.limits);
  const stackRead = (v: VersionRow, w: TimeWindow) =>
    readStackProfile(deps.store, { filter: matchersToFilter(withoutCaptures(side(v))), window: w, maxStacks: deps.limits.maxStacks, source: "raw", ...read });
  const [baseData, data, baseProfile, profile] = await Promise.all([
    readSide(deps, side(previous), baseWindow, ctx),
    readSide(deps, side(newest), window, ctx),
    stackRead(previous, baseWindow),
    stackRead(newest, window),
  ]);
  const d = diffReplicates(baseData, data, { sort, limit, significantOnly: true });
  const firsts = [baseProfile.firstMs, profile.firstMs].filter((t) => t > 0);
  return {
    service: req.service,
    baseVersion: previous.version,
    version: newest.version,
    baseRange: range(baseWindow),
    range: range(window),
    versions: versions.map((v) => ({ version: v.version, firstSeenUnixMs: BigInt(v.firstMs), lastSeenUnixMs: BigInt(v.lastMs), samples: BigInt(v.samples) })),
    diff: toDiffResponse(d, sort, data.unit),
    newFunctions: heaviest(d.stats.changes, "comparison", limit).map(toFunctionDiff),
    goneFunctions: heaviest(d.stats.changes, "base", limit).map(toFunctionDiff),
    flameGraph: toFlameGraph(buildDiffTree(baseProfile, profile), {
      maxNodes,
      diff: true,
      firstMs: firsts.length === 0 ? 0 : Math.min(...firsts),
      lastMs: Math.max(baseProfile.lastMs, profile.lastMs),
      source: "raw",
    }),
  };
}
