/**
 * Cross-origin access to the Connect routes: off unless origins are listed
 * (`--http-allow-origins`). A listed origin (or `*`, any origin) gets the headers Connect
 * needs, plus `authorization` for the bearer token; others get no CORS headers, so browsers
 * refuse their pages' calls.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { cors } from "@connectrpc/connect";
import { ERROR_CODE_KEY } from "../grpc/status.js";

const ALLOW_HEADERS = [...cors.allowedHeaders, "Authorization"].join(", ");
const EXPOSE_HEADERS = [...cors.exposedHeaders, ERROR_CODE_KEY].join(", ");

/** Parses the option's comma-separated origins. */
export function parseOrigins(option: string): string[] {
  return option
    .split(",")
    .map((o) => o.trim().replace(/\/+$/, ""))
    .filter((o) => o !== "");
}

/**
 * Adds CORS headers for an allowed origin; answers preflight requests. Returns true when the
 * request was answered (a preflight), false when it should go on to the routes.
 */
export function applyCors(allowed: readonly string[], req: IncomingMessage, res: ServerResponse): boolean {
  const origin = req.headers.origin;
  const preflight = req.method === "OPTIONS" && req.headers["access-control-request-method"] !== undefined;
  const ok = origin !== undefined && (allowed.includes("*") || allowed.includes(origin));
  if (ok) {
    res.setHeader("access-control-allow-origin", origin);
    res.setHeader("vary", "Origin");
    res.setHeader("access-control-expose-headers", EXPOSE_HEADERS);
  }
  if (!preflight) return false;
  if (!ok) {
    res
      .writeHead(403, { "content-type": "text/plain; charset=utf-8" })
      .end("this origin may not call the fleetprof API (the server's --http-allow-origins lists who may)\n");
    return true;
  }
  res.writeHead(204, {
    "access-control-allow-methods": cors.allowedMethods.join(", "),
    "access-control-allow-headers": ALLOW_HEADERS,
    "access-control-max-age": "7200",
  });
  res.end();
  return true;
}
