/**
 * A Connect handler context seen as the call the hooks expect (deadline, metadata, peer,
 * cancellation), so Connect calls go through the same `runCall` as gRPC ones.
 */
import { createContextKey, type HandlerContext } from "@connectrpc/connect";
import { Metadata } from "@grpc/grpc-js";
import type { ServerCall } from "../grpc/adapter.js";

/** The remote address of the HTTP request, set by the HTTP server for each call. */
export const PEER = createContextKey("", { description: "remote address" });

/** Header names grpc-js metadata accepts as text values. */
const METADATA_KEY = /^[0-9a-z_.-]+$/;

export function callSource(ctx: HandlerContext): ServerCall {
  const metadata = new Metadata();
  ctx.requestHeader.forEach((value, key) => {
    if (METADATA_KEY.test(key) && !key.endsWith("-bin")) metadata.add(key, value);
  });
  const timeoutMs = ctx.timeoutMs();
  const deadline = timeoutMs === undefined ? Infinity : Date.now() + timeoutMs;
  const peer = ctx.values.get(PEER);
  return {
    getDeadline: () => deadline,
    metadata,
    getPeer: () => peer,
    // The context's signal aborts when the client goes away or its timeout passes.
    on: (_event, listener) => ctx.signal.addEventListener("abort", listener, { once: true }),
    removeListener: (_event, listener) => ctx.signal.removeEventListener("abort", listener),
  };
}
