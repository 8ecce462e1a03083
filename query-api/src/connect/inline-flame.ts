/**
 * The Explore page's first flame graph, sent inside the page itself: when a browser navigates
 * to /explore, the server starts the page's FlameGraph call at once (the call the preload
 * script would send once the page arrived: same request, same hooks, so the same token check,
 * limits, admission and deadline) and appends its answer, base64 in a non-executable
 * `<script type="application/octet-stream">`, at the end of the same HTML response. A
 * `<meta name="fleetprof-flame">` in the head tells the preload script to wait for it instead
 * of asking. No round trip waits for the page to load and run its script.
 *
 * Only for navigations (`sec-fetch-dest: document`) of GET /explore whose time range the
 * server resolves the same way as the browser (`now`, `now-15m`, unix ms), and only when the
 * call needs no token (a navigation carries none: the app keeps it in the tab's storage).
 * Otherwise the page is served as it is and the preload script asks as before.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { create, isMessage } from "@bufbuild/protobuf";
import { Metadata } from "@grpc/grpc-js";
import { FlameGraphRequestSchema, FlameGraphResponseSchema, type FlameGraphRequest } from "@fleetprof/proto";
import { DEFAULT_FROM, resolveRange, type ResolvedRange } from "@fleetprof/web";
import { runCall, type CallHooks, type ServerCall } from "../grpc/adapter.js";
import { encodeFlameGraphResponse } from "../grpc/flame-graph-encode.js";
import type { QueryServiceImpl } from "../service/types.js";

const METHOD = "fleetprof.v1.QueryService/FlameGraph";
/** Ends of a range the server resolves exactly as the browser does (no dates in the server's time zone). */
const PLAIN_TIME = /^(?:now|now-\d+(?:\.\d+)?[smhdw]|\d{10,16})$/;

export interface InlineFlame {
  /** The range the call asked for (relative ranges resolve once, for every request of the page). */
  range: ResolvedRange;
  /** The binary FlameGraphResponse, or undefined when the call failed (the page then asks itself and shows the error). */
  bytes: Promise<Uint8Array | undefined>;
}

/** Starts the inline FlameGraph call for a page request, or returns undefined when this request gets none. */
export type InlineFlameStarter = (req: IncomingMessage, res: ServerResponse) => InlineFlame | undefined;

/** The FlameGraphRequest the preload script would send for this URL, and its range; undefined when the browser must resolve the range. */
export function explorePageRequest(url: URL, now = Date.now()): { request: FlameGraphRequest; range: ResolvedRange } | undefined {
  if (url.pathname !== "/explore") return undefined;
  const q = url.searchParams;
  const from = q.get("from") ?? DEFAULT_FROM;
  const to = q.get("to") ?? "now";
  if (!PLAIN_TIME.test(from.trim()) || !PLAIN_TIME.test(to.trim())) return undefined;
  const range = resolveRange({ from, to }, now);
  const request = create(FlameGraphRequestSchema, {
    selector: q.get("q") ?? "",
    range: { startUnixMs: BigInt(Math.floor(range.startMs)), endUnixMs: BigInt(Math.ceil(range.endMs)) },
    maxNodes: Number(q.get("nodes") ?? 0) || 0,
  });
  return { request, range };
}

/** The call as the hooks see it: the request's headers as metadata, cancelled when the browser goes away. */
function pageCall(req: IncomingMessage, res: ServerResponse): ServerCall {
  const metadata = new Metadata();
  for (const [key, value] of Object.entries(req.headers)) {
    if (typeof value === "string" && /^[0-9a-z_.-]+$/.test(key) && !key.endsWith("-bin")) metadata.add(key, value);
  }
  const peer = `${req.socket.remoteAddress ?? ""}:${String(req.socket.remotePort ?? "")}`;
  const listeners = new Map<() => void, () => void>();
  return {
    getDeadline: () => Infinity,
    metadata,
    getPeer: () => peer,
    on: (_event, listener) => {
      const onClose = (): void => {
        if (!res.writableFinished) listener();
      };
      listeners.set(listener, onClose);
      res.once("close", onClose);
    },
    removeListener: (_event, listener) => {
      const onClose = listeners.get(listener);
      if (onClose !== undefined) res.off("close", onClose);
    },
  };
}

/** The starter for a server's QueryService and call hooks. */
export function inlineFlameStarter(service: Pick<QueryServiceImpl, "flameGraph">, hooks: CallHooks): InlineFlameStarter {
  return (req, res) => {
    if (req.method !== "GET" || req.headers["sec-fetch-dest"] !== "document") return undefined;
    const page = explorePageRequest(new URL(req.url ?? "/", "http://page"));
    if (page === undefined) return undefined;
    const call = pageCall(req, res);
    // A navigation carries no bearer token: when the server needs one, the page asks itself (with the tab's token).
    try {
      hooks.authorize?.({ signal: new AbortController().signal, remainingMs: () => 1, metadata: call.metadata, peer: call.getPeer(), method: METHOD });
    } catch {
      return undefined;
    }
    const bytes = runCall(hooks, call, METHOD, 0, (context) => service.flameGraph(page.request, context)).then(
      (out): Uint8Array | undefined =>
        encodeFlameGraphResponse(FlameGraphResponseSchema, isMessage(out, FlameGraphResponseSchema) ? out : create(FlameGraphResponseSchema, out)),
      () => undefined,
    );
    return { range: page.range, bytes };
  };
}
