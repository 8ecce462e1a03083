export { isLabelColumn, LABEL_COLUMNS, labelExpression, MATCH_ALL, RAW_ONLY_COLUMNS, type LabelColumn, type SampleFilter } from "./filter.js";
export { readLabelNames, readLabelValues, readServices, type LabelQuery, type ServiceRow } from "./labels.js";
export { partsSql, planRange, type Plan, type PlanOptions, type RangePart, type TimeWindow } from "./plan.js";
export { emptyProfile, type FrameInfo, type Source, type StackCount, type StackProfile } from "./profile.js";
export { queryRows, readError, type ReadOptions, type ReadTarget } from "./run.js";
export { readProcesses, type ProcessQuery, type ProcessRow } from "./processes.js";
export { readSeries, type SeriesQuery, type SeriesRow } from "./series.js";
export { FRAME_KEY_MASK, readFrames, readStackProfile, readStacks, type StackQuery } from "./stacks.js";
export { Bounded, clearDictionaryCache, DictionaryCache, dictionaryCache, DEFAULT_CACHE_ENTRIES } from "./dictionary-cache.js";
