/**
 * A capture from the browser: the form (selector, duration, rate, idle, native) and the
 * server-streaming Capture call, its progress shown live (started, sampling each second,
 * sampled, stored) until the flame graph arrives.
 */
import type { FlameGraph } from "@fleetprof/proto/query";
import { formatCount } from "../../flame/format.js";
import { api } from "../api.js";
import { append, h } from "../dom.js";
import { href } from "../router.js";
import { failure } from "../components/notice.js";
import { selectorInput } from "../components/selector-input.js";
import type { ResolvedRange } from "../time-range.js";

export interface CaptureSettings {
  selector: string;
  durationMs: number;
  rateHz: number;
  idle: boolean;
  native: boolean;
}

export interface CaptureDone {
  id: string;
  graph: FlameGraph;
  startMs: number;
  endMs: number;
}

const DURATIONS = [5, 10, 30, 60];
const RATES = [100, 250, 500, 1000];

export function captureForm(range: () => ResolvedRange, onStart: (s: CaptureSettings) => void) {
  const sel = selectorInput({
    value: "",
    label: "Capture selector",
    range,
    placeholder: '{service="shop", host="web-3"} — one process',
    onSubmit: () => start(),
  });
  const duration = h("select", { attrs: { "aria-label": "Duration" } }, ...DURATIONS.map((d) => h("option", { value: String(d) }, `${String(d)} s`)));
  const rate = h("select", { attrs: { "aria-label": "Sampling rate" } }, ...RATES.map((r) => h("option", { value: String(r) }, `${String(r)} Hz`)));
  const idle = h("input", { type: "checkbox" });
  const native = h("input", { type: "checkbox" });
  const button = h("button", { type: "button", className: "primary" }, "Start capture");
  const read = (): CaptureSettings => ({
    selector: sel.input.value.trim(),
    durationMs: Number(duration.value) * 1000,
    rateHz: Number(rate.value),
    idle: idle.checked,
    native: native.checked,
  });
  function start(): void {
    onStart(read());
  }
  button.addEventListener("click", start);
  const el = h(
    "div",
    { className: "form-row capture-form" },
    sel.el,
    h("label", { className: "inline" }, "for", duration),
    h("label", { className: "inline" }, "at", rate),
    h("label", { className: "check", title: "wall-clock: include idle threads (py-spy --idle)" }, idle, "idle too"),
    h("label", { className: "check", title: "native frames (py-spy --native; pauses the process at each sample)" }, native, "native"),
    button,
  );
  return {
    el,
    read,
    /** The form's values as URL parameters. */
    params: (): Record<string, string | undefined> => {
      const s = read();
      return { cq: s.selector, dur: String(s.durationMs / 1000), rate: String(s.rateHz), idle: s.idle ? "1" : undefined, native: s.native ? "1" : undefined };
    },
    set(params: URLSearchParams): void {
      sel.set(params.get("cq") ?? "");
      duration.value = DURATIONS.includes(Number(params.get("dur"))) ? (params.get("dur") ?? "10") : "10";
      rate.value = RATES.includes(Number(params.get("rate"))) ? (params.get("rate") ?? "100") : "100";
      idle.checked = params.get("idle") === "1";
      native.checked = params.get("native") === "1";
    },
  };
}

const STAGES: Record<string, string> = { started: "Started", sampling: "Sampling", sampled: "Samples sent", stored: "Stored" };

/** Runs the capture, showing progress in `box`; the capture, or undefined when it failed (the box says why). */
export async function runCapture(s: CaptureSettings, box: HTMLElement, signal: AbortSignal): Promise<CaptureDone | undefined> {
  box.hidden = false;
  const bar = h("div", { className: "progress-bar" }, h("span"));
  const text = h("div", { className: "progress-text" }, "Finding the process…");
  box.replaceChildren(bar, text);
  const startMs = Date.now();
  let id = "";
  try {
    for await (const msg of api.capture({ selector: s.selector, durationMs: s.durationMs, rateHz: s.rateHz, idle: s.idle, native: s.native }, { signal })) {
      id = msg.captureId || id;
      if (msg.event.case === "progress") {
        const p = msg.event.value;
        const frac =
          p.stage === "started"
            ? 0
            : p.stage === "sampling"
              ? Math.min(0.9, Number(p.elapsedMs) / Math.max(1, p.durationMs))
              : p.stage === "sampled"
                ? 0.95
                : 1;
        (bar.firstChild as HTMLElement).style.width = `${(frac * 100).toFixed(0)}%`;
        text.replaceChildren();
        append(
          text,
          h("strong", null, STAGES[p.stage] ?? p.stage),
          ` · ${p.service || "process"} pid ${String(p.pid)} on ${p.host} · ${String(p.rateHz)} Hz · ${(Number(p.elapsedMs) / 1000).toFixed(0)} / ${String(p.durationMs / 1000)} s`,
          p.samples > 0n ? ` · ${formatCount(Number(p.samples))} samples` : "",
          p.message !== "" ? ` · ${p.message}` : "",
          ` · capture ${id}`,
        );
      } else if (msg.event.case === "flameGraph") {
        (bar.firstChild as HTMLElement).style.width = "100%";
        const done = { id, graph: msg.event.value, startMs: startMs - 60_000, endMs: Date.now() + 60_000 };
        const explore = href("/explore", { q: `{capture_id=${JSON.stringify(id)}}`, from: String(done.startMs), to: String(done.endMs), hz: String(s.rateHz) });
        text.replaceChildren();
        append(
          text,
          h("strong", null, "Done"),
          ` · capture ${id} · ${formatCount(Number(msg.event.value.total))} samples · `,
          h("a", { href: explore }, "open in Explore"),
        );
        return done;
      }
    }
    text.textContent = "The capture ended without a flame graph.";
  } catch (err) {
    const f = failure(err, () => undefined);
    box.replaceChildren(...(f === null ? [] : [f]));
  }
  return undefined;
}
