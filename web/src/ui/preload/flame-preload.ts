/**
 * Loaded before the app on every page: on /explore it sends the page's FlameGraph request
 * right away, so the query runs while the browser is still loading and compiling the app. The
 * Explore page takes the answer (`takeFlamePreload`) when the URL still asks for the same.
 */
import { DEFAULT_FROM, resolveRange } from "../time-range.js";
import { storedToken } from "../token.js";
import { encodeFlameGraphRequest } from "./flame-request.js";
import { PRELOAD_KEY, type FlamePreload } from "./take-preload.js";

function start(): void {
  if (location.pathname !== "/explore") return;
  const q = new URLSearchParams(location.search);
  const range = resolveRange({ from: q.get("from") ?? DEFAULT_FROM, to: q.get("to") ?? "now" });
  const body = encodeFlameGraphRequest({ selector: q.get("q") ?? "", startMs: Math.floor(range.startMs), endMs: Math.ceil(range.endMs), maxNodes: Number(q.get("nodes") ?? 0) || 0 });
  const headers: Record<string, string> = { "content-type": "application/proto", "connect-protocol-version": "1" };
  const token = storedToken();
  if (token !== "") headers["authorization"] = `Bearer ${token}`;
  const preload: FlamePreload = {
    search: location.search,
    range,
    bytes: fetch("/fleetprof.v1.QueryService/FlameGraph", { method: "POST", headers, body }).then(
      async (r) => (r.ok ? new Uint8Array(await r.arrayBuffer()) : undefined),
      () => undefined,
    ),
  };
  Object.assign(window, { [PRELOAD_KEY]: preload });
}

start();
