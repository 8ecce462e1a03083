/**
 * What the CLI needs from the query API: one promise-returning method per RPC of
 * `fleetprof.v1.QueryService`. The real client comes from @fleetprof/query-api
 * (see connect.ts); tests pass a fake with the same shape.
 */
import type { MessageInitShape } from "@bufbuild/protobuf";
import type {
  DiffFlameGraphRequestSchema,
  DiffFlameGraphResponse,
  DiffTopFunctionsRequestSchema,
  DiffTopFunctionsResponse,
  ExportRequestSchema,
  ExportResponse,
  FlameGraphRequestSchema,
  FlameGraphResponse,
  ListLabelNamesRequestSchema,
  ListLabelNamesResponse,
  ListLabelValuesRequestSchema,
  ListLabelValuesResponse,
  ListServicesRequestSchema,
  ListServicesResponse,
  QueryServiceCaptureRequestSchema,
  QueryServiceCaptureResponse,
  QueryServiceDumpRequestSchema,
  QueryServiceDumpResponse,
  TimeSeriesRequestSchema,
  TimeSeriesResponse,
  TopFunctionsRequestSchema,
  TopFunctionsResponse,
  VersionReportRequestSchema,
  VersionReportResponse,
} from "@fleetprof/proto";

export interface QueryClient {
  listServices(request: MessageInitShape<typeof ListServicesRequestSchema>): Promise<ListServicesResponse>;
  listLabelNames(request: MessageInitShape<typeof ListLabelNamesRequestSchema>): Promise<ListLabelNamesResponse>;
  listLabelValues(request: MessageInitShape<typeof ListLabelValuesRequestSchema>): Promise<ListLabelValuesResponse>;
  flameGraph(request: MessageInitShape<typeof FlameGraphRequestSchema>): Promise<FlameGraphResponse>;
  diffFlameGraph(request: MessageInitShape<typeof DiffFlameGraphRequestSchema>): Promise<DiffFlameGraphResponse>;
  topFunctions(request: MessageInitShape<typeof TopFunctionsRequestSchema>): Promise<TopFunctionsResponse>;
  diffTopFunctions(request: MessageInitShape<typeof DiffTopFunctionsRequestSchema>): Promise<DiffTopFunctionsResponse>;
  versionReport(request: MessageInitShape<typeof VersionReportRequestSchema>): Promise<VersionReportResponse>;
  timeSeries(request: MessageInitShape<typeof TimeSeriesRequestSchema>): Promise<TimeSeriesResponse>;
  export(request: MessageInitShape<typeof ExportRequestSchema>): Promise<ExportResponse>;
  dump(request: MessageInitShape<typeof QueryServiceDumpRequestSchema>): Promise<QueryServiceDumpResponse>;
  /** Progress messages, then the flame graph. */
  capture(request: MessageInitShape<typeof QueryServiceCaptureRequestSchema>, options?: { deadlineMs?: number }): AsyncIterable<QueryServiceCaptureResponse>;
  close(): void;
}
