/**
 * The fleetprof.v1.QueryService handlers, one module per group: the catalog (catalog.ts), one
 * merged profile (profile-handlers.ts), diffs (diff-flame.ts, diff-top.ts, version-report.ts),
 * time series (time-series.ts) and dumps (dump.ts), each call admitted by the concurrency
 * bounds. Errors are FleetprofErrors; the gRPC adapter maps them.
 */
import type { ReadTarget } from "@fleetprof/store";
import type { NatsLink } from "../control/nats-link.js";
import { admitted, type Admissions } from "./admission.js";
import { catalogHandlers } from "./catalog.js";
import { diffFlameHandler } from "./diff-flame.js";
import { diffTop } from "./diff-top.js";
import { dump, type DumpCaps } from "./dump.js";
import { profileHandlers } from "./profile-handlers.js";
import { serviceReads } from "./reads.js";
import type { Limits } from "./request.js";
import { timeSeriesHandler } from "./time-series.js";
import type { QueryServiceImpl } from "./types.js";
import { versionReport } from "./version-report.js";

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

export function createQueryService(options: QueryServiceOptions): QueryServiceImpl {
  const { store, limits } = options;
  const reads = serviceReads(store, limits, options.rawOnly === true);
  const handlers: QueryServiceImpl = {
    ...catalogHandlers(reads),
    ...profileHandlers(reads),
    ...diffFlameHandler(reads),
    ...timeSeriesHandler(reads),
    diffTopFunctions: (req, ctx) => diffTop(req, { store, limits }, ctx),
    versionReport: (req, ctx) => versionReport(req, { store, limits }, ctx),
    dump: (req, ctx) =>
      dump(req, { store, link: options.link, timeoutMs: options.dumpTimeoutMs, caps: options.dumpCaps, maxMemoryBytes: limits.maxQueryMemoryBytes }, ctx),
  };
  return admitted(handlers, options.admissions.queries, { dump: options.admissions.control });
}
