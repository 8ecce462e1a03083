/**
 * Which failed writes are worth retrying. ClickHouse says why it refused an insert with an
 * error code; a few codes are about the rows themselves — retrying them fails the same way
 * forever — and every other failure (connection, timeout, memory, too many parts, a table
 * missing or read-only, anything without a code) is about the server and passes.
 *
 * The code is read from the error's shape, not its class: clickhouse-js throws its
 * `ClickHouseError` (`code` "469", `type` "VIOLATED_CONSTRAINT"), but chDB's connection throws
 * the same class from its own copy of `@clickhouse/client-common` (so `instanceof` fails),
 * with chDB's `ChdbQueryError` as `cause` carrying the code again as the number
 * `clickhouseCode`. Messages are never parsed here.
 */

/** A ClickHouse error code, its name and message. */
export interface ClickHouseFailure {
  code: number;
  type: string;
  message: string;
}

/** Codes meaning "these rows can never be inserted", by name. */
const ROW_ERRORS: ReadonlyMap<number, string> = new Map([
  [6, "CANNOT_PARSE_TEXT"],
  [27, "CANNOT_PARSE_INPUT_ASSERTION_FAILED"],
  [32, "ATTEMPT_TO_READ_AFTER_EOF"],
  [33, "CANNOT_READ_ALL_DATA"],
  [38, "CANNOT_PARSE_DATE"],
  [41, "CANNOT_PARSE_DATETIME"],
  [53, "TYPE_MISMATCH"],
  [69, "ARGUMENT_OUT_OF_BOUND"],
  [70, "CANNOT_CONVERT_TYPE"],
  [72, "CANNOT_PARSE_NUMBER"],
  [117, "INCORRECT_DATA"],
  [128, "TOO_LARGE_ARRAY_SIZE"],
  [131, "TOO_LARGE_STRING_SIZE"],
  [190, "SIZES_OF_ARRAYS_DONT_MATCH"],
  [321, "VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE"],
  [469, "VIOLATED_CONSTRAINT"],
]);

interface ErrorShape {
  code?: unknown;
  type?: unknown;
  clickhouseCode?: unknown;
  message?: unknown;
  cause?: unknown;
}

/** The ClickHouse error an error carries (itself or a cause), if any. */
export function clickHouseFailureOf(err: unknown): ClickHouseFailure | undefined {
  let e: unknown = err;
  for (let depth = 0; depth < 5 && typeof e === "object" && e !== null; depth++) {
    const s = e as ErrorShape;
    const message = typeof s.message === "string" ? s.message : "";
    if (typeof s.code === "string" && /^\d+$/.test(s.code) && typeof s.type === "string") return { code: Number(s.code), type: s.type, message };
    if (typeof s.clickhouseCode === "number") return { code: s.clickhouseCode, type: ROW_ERRORS.get(s.clickhouseCode) ?? "", message };
    e = s.cause;
  }
  return undefined;
}

/** The ClickHouse error of a write that can never succeed with these rows; undefined: retry it. */
export function permanentWriteError(err: unknown): ClickHouseFailure | undefined {
  const f = clickHouseFailureOf(err);
  return f !== undefined && ROW_ERRORS.has(f.code) ? f : undefined;
}
