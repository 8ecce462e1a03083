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
import { FlamePanel } from "../components/flame-panel.js";
import { empty, failure, loading } from "../components/notice.js";
import { selectorInput } from "../components/selector-input.js";
import { setParams, type Page } from "../router.js";
import { resolveRange } from "../time-range.js";
import { copyLinkButton, Loader, pageHeader } from "./page-kit.js";
import { dumpView } from "./dump-view.js";
import { captureForm, runCapture, type CaptureSettings } from "./capture-run.js";
import { fileStem, type ExportSource } from "../components/export-menu.js";

export function incidentsPage(root: HTMLElement): Page {
  const tooltip = document.getElementById("tooltip") as HTMLElement;
  const lookback = () => resolveRange({ from: "now-15m", to: "now" });
  const dumpLoader = new Loader();
  const captureLoader = new Loader();
  let params = new URLSearchParams(location.search);
  let captureRate = 100;
  let first = true;
  const dumpSel = selectorInput({ value: params.get("dq") ?? "", label: "Dump selector", range: lookback, onSubmit: (q) => dumpNow(q) });
  const dumpButton = h("button", { type: "button", className: "primary", on: { click: () => dumpNow(dumpSel.input.value.trim()) } }, "Dump now");
  const dumpBody = h("div");
  const form = captureForm(lookback, (s) => {
    setParams({ ...form.params(), capture: undefined, from: undefined, to: undefined }, true);
    captureLoader.run(`start:${String(Date.now())}`, startCapture(s));
  });
  const progress = h("div", { className: "capture-progress", hidden: true });
  const flameSlot = h("div", { className: "flame-slot" });
  const panel: FlamePanel = new FlamePanel(tooltip, {
    rateHz: captureRate,
    exportSource: (): ExportSource | undefined => {
      const d = panel.currentData();
      const id = params.get("capture") ?? "";
      const range = resolveRange({ from: params.get("from") ?? "now-1h", to: params.get("to") ?? "now" });
      return d === undefined ? undefined : { name: fileStem(`capture_${id}`), query: { selector: `{capture_id="${id}"}`, range }, html: { data: d, options: { title: `capture ${id}`, rateHz: captureRate } } };
    },
    onState: (changes, replace) => setParams(changes, replace),
  });
  root.append(
    pageHeader("Incidents", "When something is wrong now: see what every thread is doing, or profile one process at a high rate for a few seconds.", copyLinkButton()),
    h("section", { className: "panel" }, h("div", { className: "panel-head" }, h("h2", null, "What is it doing right now?"), h("span", { className: "muted" }, "py-spy dump of every matching process, identical stacks grouped")), h("div", { className: "form-row" }, dumpSel.el, dumpButton), dumpBody),
    h("section", { className: "panel" }, h("div", { className: "panel-head" }, h("h2", null, "Profile one process now"), h("span", { className: "muted" }, "a dedicated py-spy next to the continuous one; the selector must match exactly one process")), form.el, progress),
    flameSlot,
  );

  const loadDump = (q: string) => async (signal: AbortSignal): Promise<void> => {
    fill(dumpBody, loading("Asking the agents…"));
    try {
      fill(dumpBody, dumpView(await api.dump({ selector: q }, { signal })));
    } catch (err) {
      fill(dumpBody, failure(err, () => dumpNow(q)));
    }
  };
  const showCapture = (id: string) => async (signal: AbortSignal): Promise<void> => {
    fill(flameSlot, loading("Loading the capture…"));
    try {
      const range = resolveRange({ from: params.get("from") ?? "now-1h", to: params.get("to") ?? "now" });
      const data = await fetchFlameGraph({ selector: `{capture_id=${JSON.stringify(id)}}`, startMs: Math.floor(range.startMs), endMs: Math.ceil(range.endMs), maxNodes: 0 }, signal);
      if (signal.aborted) return;
      if (data.sum === 0) return fill(flameSlot, empty(`No samples for capture ${id}`, "Captured samples expire with the raw data; start a new capture."));
      fill(flameSlot, panel.el);
      panel.setData(data, { search: params.get("search") ?? "", zoom: params.get("zoom") ?? "", fn: params.get("fn") ?? "" });
    } catch (err) {
      fill(flameSlot, failure(err, () => undefined));
    }
  };
  const startCapture = (s: CaptureSettings) => async (signal: AbortSignal): Promise<void> => {
    flameSlot.replaceChildren();
    captureRate = s.rateHz;
    panel.setRate(s.rateHz);
    const done = await runCapture(s, progress, signal);
    if (done === undefined) return;
    // The capture's own id and range in the URL: a reload or a link shows it again.
    captureLoader.run(`capture:${done.id}`, async () => {
      fill(flameSlot, panel.el);
      panel.setData(flameDataFrom(done.graph), { search: "", zoom: "", fn: "" });
    });
    setParams({ capture: done.id, from: String(done.startMs), to: String(done.endMs) }, true);
  };

  /** A dump is of now: the button asks again even for the same selector. */
  function dumpNow(q: string): void {
    dumpLoader.invalidate();
    if (q !== (params.get("dq") ?? "")) setParams({ dq: q });
    else dumpLoader.run(q, loadDump(q));
  }

  function update(next: URLSearchParams): void {
    params = next;
    dumpSel.set(params.get("dq") ?? "");
    if (first) form.set(params);
    first = false;
    const dq = params.get("dq");
    if (dq !== null) dumpLoader.run(dq, loadDump(dq));
    const id = params.get("capture");
    if (id !== null) {
      captureRate = Number(params.get("rate") ?? 100) || 100;
      panel.setRate(captureRate);
      captureLoader.run(`capture:${id}`, showCapture(id));
    }
    panel.apply({ search: params.get("search") ?? "", zoom: params.get("zoom") ?? "", fn: params.get("fn") ?? "" });
  }
  return {
    update,
    destroy: () => {
      dumpLoader.abort();
      captureLoader.abort();
      panel.destroy();
    },
  };
}
