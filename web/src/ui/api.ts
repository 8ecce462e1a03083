/**
 * The query API from the browser: the generated service descriptor over the Connect
 * protocol (binary), on the same origin that served the page. A bearer token, when the
 * server needs one, is asked for once and kept for the browser tab (sessionStorage).
 */
import { Code, ConnectError, createClient, type Client, type Interceptor } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { QueryService } from "@fleetprof/proto/query";

import { storedToken } from "./token.js";

const auth: Interceptor = (next) => (req) => {
  const token = storedToken();
  if (token !== "") req.header.set("authorization", `Bearer ${token}`);
  return next(req);
};

export type QueryClient = Client<typeof QueryService>;

export const api: QueryClient = createClient(QueryService, createConnectTransport({ baseUrl: location.origin, useBinaryFormat: true, interceptors: [auth] }));

/** A failed call, said for a person: the server's message, and what to do for the common cases. */
export interface CallProblem {
  message: string;
  /** The server needs a (different) token. */
  needsToken: boolean;
  /** The call was cancelled (the page moved on): show nothing. */
  cancelled: boolean;
}

export function describeProblem(err: unknown): CallProblem {
  const e = ConnectError.from(err);
  const base = { needsToken: false, cancelled: false };
  switch (e.code) {
    case Code.Canceled:
      return { ...base, message: "cancelled", cancelled: true };
    case Code.Unauthenticated:
      return { ...base, needsToken: true, message: `${e.rawMessage} — enter the server's token below.` };
    case Code.Unavailable:
      return { ...base, message: `${e.rawMessage}${/fetch|network/i.test(e.rawMessage) ? " — is the query API still running? (fleetprof up / fleetprof query-api)" : ""}` };
    case Code.DeadlineExceeded:
      return { ...base, message: `${e.rawMessage} — try a shorter time range or a narrower selector.` };
    case Code.ResourceExhausted:
      return { ...base, message: `${e.rawMessage} — narrow the selector or the time range.` };
    default:
      return { ...base, message: e.rawMessage };
  }
}
