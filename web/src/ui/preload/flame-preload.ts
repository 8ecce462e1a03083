/**
 * Loaded before the app on every page: on /explore it sends the page's FlameGraph request
 * right away, so the query runs while the browser is still loading and compiling the app. The
 * Explore page takes the answer (`takeFlamePreload`) when the URL still asks for the same.
 */
import { DEFAULT_FROM, resolveRange } from "../time-range.js";
import { encodeFlameGraphRequest, FLAME_GRAPH_PATH, flameGraphHeaders } from "./flame-request.js";
import { PRELOAD_KEY, type FlamePreload } from "./take-preload.js";

function start(): void {
  if (location.pathname !== "/explore") return;
  const q = new URLSearchParams(location.search);
  const range = resolveRange({ from: q.get("from") ?? DEFAULT_FROM, to: q.get("to") ?? "now" });
  const body = encodeFlameGraphRequest({ selector: q.get("q") ?? "", startMs: Math.floor(range.startMs), endMs: Math.ceil(range.endMs), maxNodes: Number(q.get("nodes") ?? 0) || 0 });
  const preload: FlamePreload = {
    search: location.search,
    range,
    bytes: fetch(FLAME_GRAPH_PATH, { method: "POST", headers: flameGraphHeaders(), body }).then(
      async (r) => (r.ok ? new Uint8Array(await r.arrayBuffer()) : undefined),
      () => undefined,
    ),
  };
  Object.assign(window, { [PRELOAD_KEY]: preload });
}

start();
