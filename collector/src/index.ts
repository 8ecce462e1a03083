export { collectorOptions, type CollectorConfig } from "./options.js";
export { startCollector, type CollectorDeps, type CollectorHandle } from "./collector.js";
export { runCollector, COLLECTOR_USAGE } from "./run.js";
export { CollectorMetrics } from "./metrics.js";
export { REJECT_REASONS, type RejectReason } from "./ingest/reject-reasons.js";
export { DLQ_DETAIL_HEADER, DLQ_REASON_HEADER, DLQ_SEQ_HEADER, DLQ_SUBJECT_HEADER } from "./ingest/dead-letter.js";
export { decodeSampleBatch, type DecodedBatch, type DecodedProfile } from "./decode/sample-batch.js";
