export {
  includesCaptures,
  isLabelColumn,
  LABEL_COLUMNS,
  MATCH_ALL,
  RAW_ONLY_COLUMNS,
  readsRawOnly,
  type LabelColumn,
  type LabelMatcher,
  type MatchOp,
  type SampleFilter,
} from "./filter.js";
export { readLabelNames, readLabelValues, readServices, type LabelQuery, type ServiceRow } from "./labels.js";
export { partsSql, planRange, type Plan, type PlanOptions, type RangePart, type TimeWindow } from "./plan.js";
export { emptyProfile, type FrameInfo, type Source, type StackCount, type StackProfile } from "./profile.js";
export { DEFAULT_QUERY_MEMORY, DEFAULT_RESULT_ROWS, queryRows, readError, type ReadOptions, type ReadTarget } from "./run.js";
export { matchLabelSets, type LabelSet } from "./match-labels.js";
export { readProcesses, type ProcessQuery, type ProcessRow } from "./processes.js";
export { DEFAULT_SERIES_GROUPS, readSeries, type SeriesQuery, type SeriesResult, type SeriesRow } from "./series.js";
export { FRAME_KEY_MASK, readFrames, readStackProfile, readStacks, type StackQuery } from "./stacks.js";
export { Bounded, clearDictionaryCache, DictionaryCache, dictionaryCache, DEFAULT_CACHE_ENTRIES } from "./dictionary-cache.js";
export {
  HOURLY_REPLICATES_FROM_MS,
  parseReplicates,
  readReplicates,
  replicateColumns,
  replicatePlan,
  replicateUnit,
  type ReplicateProfile,
  type ReplicateQuery,
} from "./replicates.js";
export { readCoverage, readCoverages, type CoverageQuery, type CoverageRows } from "./coverage.js";
export { readSampling, type Sampling, type SamplingSide } from "./sampling.js";
export { readVersions, type VersionRow } from "./versions.js";
export { queryBinary } from "./run-binary.js";
export { RowBinaryReader } from "./rowbinary-reader.js";
