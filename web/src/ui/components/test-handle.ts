/**
 * `window.fleetprofViews`: a small read-only handle on the flame graphs the page shows (the
 * same shape as an HTML flame graph's `window.fleetprofViewer`), for the browser tests and
 * for people poking in the console.
 */
import type { FlameView } from "../../flame/flame-view.js";

export function exposeView(name: "main" | "callers" | "callees", view: FlameView | undefined): void {
  const w = window as unknown as { fleetprofViews?: Record<string, unknown>; fleetprofViewer?: unknown };
  w.fleetprofViews ??= {};
  const handle =
    view === undefined
      ? undefined
      : {
          nodeCount: view.data.name.length,
          find: (n: string) => view.find(n),
          box: (i: number) => view.box(i),
          state: () => ({ zoom: view.label(view.zoom), zoomIndex: view.zoom, matches: view.matchCount, drawn: view.drawn, skipped: view.skipped }),
          colour: (i: number) => view.colour(i),
          label: (i: number) => view.label(i),
          longestDrawMs: () => view.longestDrawMs,
        };
  w.fleetprofViews[name] = handle;
  if (name === "main") w.fleetprofViewer = handle;
}
