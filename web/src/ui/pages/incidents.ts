/**
 * Incidents: "what is it doing right now?" (Dump: every matching process's threads, grouped)
 * and "profile this process now" (Capture: a dedicated high-rate py-spy, progress streamed
 * live, landing on its flame graph). In the URL: dq, cq, dur, rate, idle, native and, once a
 * capture has finished, capture, from, to (its samples stay queryable).
 */
import { flameDataFrom } from "../../flame/flame-data-from.js";
import { api } from "../api.js";
import { fetchFlameGraph } from "../flame-fetch.js";
import { fill, h } from "../dom.js";
import { FlamePanel, type FlameState } from "../components/flame-panel.js";
import { empty, failure, loading } from "../components/notice.js";
import { selectorInput } from "../components/selector-input.js";
import { setParams, type Page } from "../router.js";
import { resolveRange } from "../time-range.js";
import { copyLinkButton, Loader, pageHeader } from "./page-kit.js";
import { dumpView } from "./dump-view.js";
import { captureForm, runCapture, type CaptureSettings } from "./capture-run.js";
import { fileStem, type ExportSource } from "../components/export-menu.js";

/** What the page keeps between URL changes. */
interface IncidentsState {
  params: URLSearchParams;
  /** The capture's sampling rate, for CPU time in the flame graph. */
  captureRate: number;
  dumpLoader: Loader;
  captureLoader: Loader;
}

const lookback = () => resolveRange({ from: "now-15m", to: "now" });
const flameState = (params: URLSearchParams): FlameState => ({
  search: params.get("search") ?? "",
  zoom: params.get("zoom") ?? "",
  fn: params.get("fn") ?? "",
});
const captureRange = (params: URLSearchParams) => resolveRange({ from: params.get("from") ?? "now-1h", to: params.get("to") ?? "now" });

function capturePanel(s: IncidentsState): FlamePanel {
  const tooltip = document.getElementById("tooltip") as HTMLElement;
  const panel: FlamePanel = new FlamePanel(tooltip, {
    rateHz: s.captureRate,
    exportSource: (): ExportSource | undefined => {
      const d = panel.currentData();
      const id = s.params.get("capture") ?? "";
      return d === undefined
        ? undefined
        : {
            name: fileStem(`capture_${id}`),
            query: { selector: `{capture_id="${id}"}`, range: captureRange(s.params) },
            html: { data: d, options: { title: `capture ${id}`, rateHz: s.captureRate } },
          };
    },
    onState: (changes, replace) => setParams(changes, replace),
  });
  return panel;
}

/** The Dump panel: a selector and a button; a dump is of now, so the button asks again even for the same selector. */
function dumpSection(s: IncidentsState): { el: HTMLElement; set: (q: string) => void; load: (q: string) => void } {
  const body = h("div");
  const loadDump =
    (q: string) =>
    async (signal: AbortSignal): Promise<void> => {
      fill(body, loading("Asking the agents…"));
      try {
        fill(body, dumpView(await api.dump({ selector: q }, { signal })));
      } catch (err) {
        fill(
          body,
          failure(err, () => dumpNow(q)),
        );
      }
    };
  const dumpNow = (q: string): void => {
    s.dumpLoader.invalidate();
    if (q !== (s.params.get("dq") ?? "")) setParams({ dq: q });
    else s.dumpLoader.run(q, loadDump(q));
  };
  const sel = selectorInput({ value: s.params.get("dq") ?? "", label: "Dump selector", range: lookback, onSubmit: (q) => dumpNow(q) });
  const button = h("button", { type: "button", className: "primary", on: { click: () => dumpNow(sel.input.value.trim()) } }, "Dump now");
  const el = h(
    "section",
    { className: "panel" },
    h(
      "div",
      { className: "panel-head" },
      h("h2", null, "What is it doing right now?"),
      h("span", { className: "muted" }, "py-spy dump of every matching process, identical stacks grouped"),
    ),
    h("div", { className: "form-row" }, sel.el, button),
    body,
  );
  return { el, set: (q) => sel.set(q), load: (q) => s.dumpLoader.run(q, loadDump(q)) };
}

/** A finished capture's flame graph, read back from the store (a link or a reload). */
const showCapture =
  (s: IncidentsState, panel: FlamePanel, flameSlot: HTMLElement, id: string) =>
  async (signal: AbortSignal): Promise<void> => {
    fill(flameSlot, loading("Loading the capture…"));
    try {
      const range = captureRange(s.params);
      const data = await fetchFlameGraph(
        { selector: `{capture_id=${JSON.stringify(id)}}`, startMs: Math.floor(range.startMs), endMs: Math.ceil(range.endMs), maxNodes: 0 },
        signal,
      );
      if (signal.aborted) return;
      if (data.sum === 0) return fill(flameSlot, empty(`No samples for capture ${id}`, "Captured samples expire with the raw data; start a new capture."));
      fill(flameSlot, panel.el);
      panel.setData(data, flameState(s.params));
    } catch (err) {
      fill(
        flameSlot,
        failure(err, () => undefined),
      );
    }
  };

/** A capture run live: progress, then its flame graph, and its id and range in the URL. */
const startCapture =
  (s: IncidentsState, panel: FlamePanel, flameSlot: HTMLElement, progress: HTMLElement, c: CaptureSettings) =>
  async (signal: AbortSignal): Promise<void> => {
    flameSlot.replaceChildren();
    s.captureRate = c.rateHz;
    panel.setRate(c.rateHz);
    const done = await runCapture(c, progress, signal);
    if (done === undefined) return;
    // The capture's own id and range in the URL: a reload or a link shows it again.
    s.captureLoader.run(`capture:${done.id}`, async () => {
      fill(flameSlot, panel.el);
      panel.setData(flameDataFrom(done.graph), { search: "", zoom: "", fn: "" });
    });
    setParams({ capture: done.id, from: String(done.startMs), to: String(done.endMs) }, true);
  };

export function incidentsPage(root: HTMLElement): Page {
  const s: IncidentsState = { params: new URLSearchParams(location.search), captureRate: 100, dumpLoader: new Loader(), captureLoader: new Loader() };
  let first = true;
  const dump = dumpSection(s);
  const progress = h("div", { className: "capture-progress", hidden: true });
  const flameSlot = h("div", { className: "flame-slot" });
  const panel = capturePanel(s);
  const form = captureForm(lookback, (c) => {
    setParams({ ...form.params(), capture: undefined, from: undefined, to: undefined }, true);
    s.captureLoader.run(`start:${String(Date.now())}`, startCapture(s, panel, flameSlot, progress, c));
  });
  root.append(
    pageHeader(
      "Incidents",
      "When something is wrong now: see what every thread is doing, or profile one process at a high rate for a few seconds.",
      copyLinkButton(),
    ),
    dump.el,
    h(
      "section",
      { className: "panel" },
      h(
        "div",
        { className: "panel-head" },
        h("h2", null, "Profile one process now"),
        h("span", { className: "muted" }, "a dedicated py-spy next to the continuous one; the selector must match exactly one process"),
      ),
      form.el,
      progress,
    ),
    flameSlot,
  );

  function update(next: URLSearchParams): void {
    s.params = next;
    dump.set(next.get("dq") ?? "");
    if (first) form.set(next);
    first = false;
    const dq = next.get("dq");
    if (dq !== null) dump.load(dq);
    const id = next.get("capture");
    if (id !== null) {
      s.captureRate = Number(next.get("rate") ?? 100) || 100;
      panel.setRate(s.captureRate);
      s.captureLoader.run(`capture:${id}`, showCapture(s, panel, flameSlot, id));
    }
    panel.apply(flameState(next));
  }
  return {
    update,
    destroy: () => {
      s.dumpLoader.abort();
      s.captureLoader.abort();
      panel.destroy();
    },
  };
}
