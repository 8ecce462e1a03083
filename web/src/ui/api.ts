/**
 * The query API from the browser: the generated service descriptor over the Connect
 * protocol (binary), on the same origin that served the page. A bearer token, when the
 * server needs one, is asked for once and kept for the browser tab (sessionStorage).
 */
import type { Client, Code as CodeEnum } from "@connectrpc/connect";
import type { QueryService } from "@fleetprof/proto/query";
import type * as ClientChunk from "./api-client.js";

export type QueryClient = Client<typeof QueryService>;

/**
 * The Connect codes this module says something about, as plain constants (the runtime's
 * `Code` would bring the Connect runtime into the app's first script); `api.test.ts` checks
 * them against it.
 */
export const Code = {
  Canceled: 1 as CodeEnum.Canceled,
  Unknown: 2 as CodeEnum.Unknown,
  DeadlineExceeded: 4 as CodeEnum.DeadlineExceeded,
  ResourceExhausted: 8 as CodeEnum.ResourceExhausted,
  Unavailable: 14 as CodeEnum.Unavailable,
  Unauthenticated: 16 as CodeEnum.Unauthenticated,
} as const;

let loaded: Promise<typeof ClientChunk> | undefined;

/** The Connect client's chunk (loaded once, on the first call or when asked early). */
export function loadClient(): Promise<typeof ClientChunk> {
  loaded ??= import("./api-client.js");
  return loaded;
}

/** Server-streaming methods: their calls return an async iterable, not a promise. */
const STREAMING = new Set(["capture"]);

/**
 * The client: each method loads the client's chunk first (once), then calls it. The first
 * flame graph of a page does not wait for it (flame-fetch.ts speaks the protocol itself).
 */
export const api: QueryClient = new Proxy({} as QueryClient, {
  get(_target, method: string) {
    if (STREAMING.has(method)) {
      return async function* (...args: unknown[]): AsyncGenerator<unknown> {
        const { client } = await loadClient();
        yield* (client as unknown as Record<string, (...a: unknown[]) => AsyncIterable<unknown>>)[method]?.(...args) ?? [];
      };
    }
    return async (...args: unknown[]): Promise<unknown> => {
      const { client } = await loadClient();
      return (client as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[method]?.(...args);
    };
  },
});

/** A failed call, said for a person: the server's message, and what to do for the common cases. */
export interface CallProblem {
  message: string;
  /** The server needs a (different) token. */
  needsToken: boolean;
  /** The call was cancelled (the page moved on): show nothing. */
  cancelled: boolean;
}

/** The code and message `ConnectError.from(err)` gives, without loading the Connect runtime for it. */
function codeAndMessage(err: unknown): { code: CodeEnum; rawMessage: string } {
  if (err instanceof Error) {
    const e = err as Error & { code?: unknown; rawMessage?: unknown };
    if (e.name === "ConnectError" && typeof e.code === "number" && typeof e.rawMessage === "string") return { code: e.code, rawMessage: e.rawMessage };
    return { code: e.name === "AbortError" || e.name === "TimeoutError" ? Code.Canceled : Code.Unknown, rawMessage: e.message };
  }
  return { code: Code.Unknown, rawMessage: String(err) };
}

export function describeProblem(err: unknown): CallProblem {
  const e = codeAndMessage(err);
  const base = { needsToken: false, cancelled: false };
  switch (e.code) {
    case Code.Canceled:
      return { ...base, message: "cancelled", cancelled: true };
    case Code.Unauthenticated:
      return { ...base, needsToken: true, message: `${e.rawMessage} — enter the server's token below.` };
    case Code.Unavailable:
      return {
        ...base,
        message: `${e.rawMessage}${/fetch|network/i.test(e.rawMessage) ? " — is the query API still running? (fleetprof up / fleetprof query-api)" : ""}`,
      };
    case Code.DeadlineExceeded:
      return { ...base, message: `${e.rawMessage} — try a shorter time range or a narrower selector.` };
    case Code.ResourceExhausted:
      return { ...base, message: `${e.rawMessage} — narrow the selector or the time range.` };
    default:
      return { ...base, message: e.rawMessage };
  }
}
