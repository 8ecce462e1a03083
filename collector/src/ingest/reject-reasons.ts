/**
 * Every reason a message is dead-lettered for (the `fleetprof.dlq.<reason>` subject, the
 * `Fleetprof-Dlq-Reason` header and the `reason` label of the rejected-messages metric).
 */
export const REJECT_REASONS = [
  // not a SampleBatch this collector reads
  "undecodable",
  "unknown_version",
  // over a cap on what decoding may allocate (decode/limits.ts)
  "too_large",
  "too_many_profiles",
  "too_many_stacks",
  "too_many_frames",
  "too_many_strings",
  "too_many_stack_frames",
  "too_many_labels",
  "too_many_label_values",
  "stack_too_deep",
  "oversized_string",
  "invalid_utf8",
  // decoded, but not valid data (ingest/validate.ts)
  "invalid_batch",
  "invalid_profile",
  "invalid_time",
  "invalid_reference",
  "invalid_count",
  // host or service other than the subject it came on (ingest/subject-binding.ts)
  "subject_mismatch",
  // a decode worker died while decoding it (decode/pool.ts)
  "decoder_crashed",
  // ClickHouse refuses its rows for good (isolated by bisecting the write)
  "clickhouse_rejected",
  // delivered as often as the consumer allows: copied before JetStream gives up on it
  "max_deliver",
] as const;

export type RejectReason = (typeof REJECT_REASONS)[number];

/** Why a message is refused: the reason and what exactly was wrong. */
export interface Rejection {
  reason: RejectReason;
  detail: string;
}
