/**
 * Runs one read query with the caller's cancellation and deadline, and turns ClickHouse's
 * failures into FleetprofErrors a caller can act on.
 *
 * Cancellation: the AbortSignal goes to @clickhouse/client (`abort_signal`), which closes the
 * HTTP request; ClickHouse then cancels the query (`cancel_http_readonly_queries_on_client_close`).
 * Embedded chDB cannot interrupt a running query from outside, so every query also carries
 * `max_execution_time` = the time left until the deadline: the engine itself stops there.
 *
 * Bounds: every query carries `max_memory_usage` (what one call's query may hold; in embedded
 * mode ClickHouse shares the process with everything else) and `max_result_rows` (what the
 * answer may bring into JavaScript), both failing with an error rather than a partial answer.
 * A query over a bound is RESOURCE_EXHAUSTED naming it, recognised by ClickHouse's error code.
 */
import type { ClickHouseClient } from "@clickhouse/client";
import { ErrorCode, FleetprofError } from "@fleetprof/common";

export interface ReadOptions {
  signal?: AbortSignal | undefined;
  /** Milliseconds the query may run (the call's deadline); default 60 s. */
  timeoutMs?: number | undefined;
  /** Bytes of memory the query may use (`max_memory_usage`); default {@link DEFAULT_QUERY_MEMORY}. */
  maxMemoryBytes?: number | undefined;
  /** Rows the answer may have (`max_result_rows`); default {@link DEFAULT_RESULT_ROWS}. Read functions set their own. */
  maxRows?: number | undefined;
}

/** Memory one read query may use unless the caller says: 1 GiB. */
export const DEFAULT_QUERY_MEMORY = 1024 ** 3;
/** Rows one read query may return unless the read function says. */
export const DEFAULT_RESULT_ROWS = 1_000_000;

/** What a read function needs from a store. */
export interface ReadTarget {
  client: ClickHouseClient;
  /** Quoted database name. */
  db: string;
}

/** ClickHouse error codes that mean "the caller asked for something wrong". */
const INVALID_ARGUMENT_CODES = new Set(["427" /* CANNOT_COMPILE_REGEXP */, "36" /* BAD_ARGUMENTS */, "457" /* BAD_QUERY_PARAMETER */]);
const TIMEOUT_CODES = new Set(["159" /* TIMEOUT_EXCEEDED */]);
/** ClickHouse error codes of a query over a bound, and the bound in words a user can act on. */
const LIMIT_CODES: Readonly<Record<string, string>> = {
  "241": "more memory than this server allows one query (ClickHouse max_memory_usage; query API option max-query-memory-mib)", // MEMORY_LIMIT_EXCEEDED
  "396": "a larger answer than this server allows one query (ClickHouse max_result_rows)", // TOO_MANY_ROWS_OR_BYTES
  "158": "more rows than this server allows one query (ClickHouse max_rows_to_read / max_rows_to_group_by)", // TOO_MANY_ROWS
  "307": "more bytes than this server allows one query (ClickHouse max_bytes_to_read)", // TOO_MANY_BYTES
  "191": "more distinct values than this server allows one query (ClickHouse max_rows_in_distinct)", // SET_SIZE_LIMIT_EXCEEDED
};

export function readError(err: unknown, signal?: AbortSignal): FleetprofError {
  if (err instanceof FleetprofError) return err;
  const e = err as { code?: unknown; message?: unknown; name?: unknown };
  const message = typeof e.message === "string" ? e.message : String(err);
  const code = typeof e.code === "string" ? e.code : undefined;
  if (signal?.aborted === true || e.name === "AbortError" || /aborted/i.test(message)) {
    const reason: unknown = signal?.reason;
    if (reason instanceof FleetprofError) return reason;
    return new FleetprofError(ErrorCode.Cancelled, "the query was cancelled", { cause: err });
  }
  if (code !== undefined && TIMEOUT_CODES.has(code)) {
    return new FleetprofError(
      ErrorCode.DeadlineExceeded,
      "the query ran past its deadline: narrow the selector or the time range, or allow a longer deadline",
      { cause: err },
    );
  }
  if (code !== undefined && INVALID_ARGUMENT_CODES.has(code)) {
    return new FleetprofError(ErrorCode.InvalidArgument, `ClickHouse refused the query: ${message}`, { cause: err });
  }
  const limit = code === undefined ? undefined : LIMIT_CODES[code];
  if (limit !== undefined) {
    return new FleetprofError(ErrorCode.ResourceExhausted, `the query needs ${limit}: narrow the selector or the time range (ClickHouse said: ${message})`, {
      cause: err,
    });
  }
  if (code === undefined && /ECONNREFUSED|ECONNRESET|socket hang up|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|closed/i.test(message)) {
    return new FleetprofError(ErrorCode.Unavailable, `ClickHouse cannot be reached: ${message}`, { cause: err });
  }
  return new FleetprofError(ErrorCode.Internal, `query failed: ${message}`, { cause: err });
}

/**
 * Runs a query, returning rows in JSONCompactEachRow form (arrays).
 *
 * Settings go into the query's own SETTINGS clause, never `clickhouse_settings`: chDB applies
 * those as session-wide `SET`s, which would leak a query's deadline into every later statement
 * of the process (the collector's inserts included, in embedded mode).
 */
export async function queryRows<T extends unknown[]>(
  target: ReadTarget,
  query: string,
  params: Record<string, unknown>,
  options: ReadOptions = {},
): Promise<T[]> {
  if (options.signal?.aborted === true) throw readError(new Error("aborted"), options.signal);
  const seconds = Math.max(1, Math.ceil((options.timeoutMs ?? 60_000) / 1000));
  const settings = [
    `max_execution_time = ${String(seconds)}`,
    "timeout_overflow_mode = 'throw'",
    `max_memory_usage = ${String(Math.floor(options.maxMemoryBytes ?? DEFAULT_QUERY_MEMORY))}`,
    `max_result_rows = ${String(Math.floor(options.maxRows ?? DEFAULT_RESULT_ROWS))}`,
    "result_overflow_mode = 'throw'",
    "cancel_http_readonly_queries_on_client_close = 1",
    // Numbers as numbers: every 64-bit id this package reads is converted with toString().
    "output_format_json_quote_64bit_integers = 0",
  ];
  try {
    const rs = await target.client.query({
      query: `${query}\nSETTINGS ${settings.join(", ")}`,
      query_params: params,
      format: "JSONCompactEachRow",
      ...(options.signal === undefined ? {} : { abort_signal: options.signal }),
    });
    return await rs.json<T>();
  } catch (err) {
    throw readError(err, options.signal);
  }
}
