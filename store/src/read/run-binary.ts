/**
 * Runs a read query whose answer is RowBinary (large numeric answers: replicates, coverage),
 * with the same deadline, cancellation and error mapping as {@link queryRows}.
 */
import { readError, type ReadOptions, type ReadTarget } from "./run.js";

/** Settings a read carries in its own SETTINGS clause (see run.ts for why not client settings). */
export function readSettings(options: ReadOptions, extra: readonly string[] = []): string {
  const seconds = Math.max(1, Math.ceil((options.timeoutMs ?? 60_000) / 1000));
  return [`max_execution_time = ${String(seconds)}`, "timeout_overflow_mode = 'throw'", "cancel_http_readonly_queries_on_client_close = 1", ...extra].join(
    ", ",
  );
}

/** The whole RowBinary answer of `query` (which must not name a FORMAT). */
export async function queryBinary(
  target: ReadTarget,
  query: string,
  params: Record<string, unknown>,
  options: ReadOptions = {},
  settings: readonly string[] = [],
): Promise<Buffer> {
  if (options.signal?.aborted === true) throw readError(new Error("aborted"), options.signal);
  try {
    const res = await target.client.exec({
      query: `${query}\nSETTINGS ${readSettings(options, settings)}\nFORMAT RowBinary`,
      query_params: params,
      ...(options.signal === undefined ? {} : { abort_signal: options.signal }),
    });
    const chunks: Buffer[] = [];
    for await (const chunk of res.stream as AsyncIterable<Buffer | string>) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
    return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
  } catch (err) {
    throw readError(err, options.signal);
  }
}
