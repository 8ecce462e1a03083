/**
 * Loaded before the app on every page: on /explore it sends the page's FlameGraph request
 * right away, so the query runs while the browser is still loading and compiling the app. The
 * Explore page takes the answer (`takeFlamePreload`) when the URL still asks for the same.
 * When the server sends the answer inside the page itself (query-api's inline-flame.ts: a
 * `<meta name="fleetprof-flame">` with the range it used, the answer in base64 at the end of
 * the body), nothing is asked: the answer is read once the page is parsed.
 */
import { DEFAULT_FROM, resolveRange } from "../time-range.js";
import { encodeFlameGraphRequest, FLAME_GRAPH_PATH, flameGraphHeaders } from "./flame-request.js";
import { PRELOAD_KEY, type FlamePreload } from "./take-preload.js";

/** Base64 to bytes (Uint8Array.fromBase64 where the browser has it). */
function fromBase64(text: string): Uint8Array {
  const native = (Uint8Array as unknown as { fromBase64?: (s: string) => Uint8Array }).fromBase64;
  if (native !== undefined) return native(text);
  const bin = atob(text);
  const out = new Uint8Array(bin.length);
  for (let k = 0; k < bin.length; k++) out[k] = bin.charCodeAt(k);
  return out;
}

/** The answer the server put at the end of the page, once the page is parsed (undefined: the call failed, the page asks itself). */
function inlineAnswer(): Promise<Uint8Array | undefined> {
  return new Promise((resolve) => {
    const read = (): void => {
      const text = document.getElementById("fleetprof-flame-answer")?.textContent ?? "";
      try {
        resolve(text === "" ? undefined : fromBase64(text));
      } catch {
        resolve(undefined);
      }
    };
    // "interactive" comes before the app's (deferred) script runs
    if (document.readyState !== "loading") read();
    else document.addEventListener("readystatechange", read, { once: true });
  });
}

function start(): void {
  if (location.pathname !== "/explore") return;
  const inline = document.querySelector<HTMLMetaElement>('meta[name="fleetprof-flame"]')?.content.split(" ").map(Number);
  if (inline !== undefined && inline.length === 2 && inline.every(Number.isFinite)) {
    const preload: FlamePreload = { search: location.search, range: { startMs: inline[0] ?? 0, endMs: inline[1] ?? 0 }, bytes: inlineAnswer() };
    Object.assign(window, { [PRELOAD_KEY]: preload });
    return;
  }
  const q = new URLSearchParams(location.search);
  const range = resolveRange({ from: q.get("from") ?? DEFAULT_FROM, to: q.get("to") ?? "now" });
  const body = encodeFlameGraphRequest({
    selector: q.get("q") ?? "",
    startMs: Math.floor(range.startMs),
    endMs: Math.ceil(range.endMs),
    maxNodes: Number(q.get("nodes") ?? 0) || 0,
  });
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
