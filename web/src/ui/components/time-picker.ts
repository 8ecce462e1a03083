/**
 * The time range control: a button naming the range; its popover offers the usual relative
 * ranges and an absolute from/to in local time. Relative ranges stay relative in the URL.
 */
import { append, h, icon } from "../dom.js";
import { ICONS } from "../icons.js";
import { describeRange, formatDateTime, PRESETS, resolveRange, type RangeParam } from "../time-range.js";

export interface TimePicker {
  el: HTMLElement;
  set(range: RangeParam): void;
}

/** `2026-12-02T14:05` for a datetime-local input. */
function localInput(ms: number): string {
  return formatDateTime(ms).replace(" ", "T");
}

export function timePicker(initial: RangeParam, onChange: (range: RangeParam) => void, name = "Time range"): TimePicker {
  let range = initial;
  const button = h("button", { type: "button", className: "time-button", attrs: { "aria-haspopup": "dialog", "aria-label": name } });
  const from = h("input", { type: "datetime-local", attrs: { "aria-label": "from" } });
  const to = h("input", { type: "datetime-local", attrs: { "aria-label": "to" } });
  const popover = h("div", { className: "popover time-popover", hidden: true, attrs: { role: "dialog", "aria-label": name } });
  const close = (): void => {
    popover.hidden = true;
    document.removeEventListener("mousedown", outside);
  };
  const choose = (r: RangeParam): void => {
    close();
    onChange(r);
  };
  const outside = (e: MouseEvent): void => {
    if (!wrap.contains(e.target as Node)) close();
  };
  const presets = h(
    "div",
    { className: "presets" },
    ...PRESETS.map((p) => h("button", { type: "button", className: "preset", on: { click: () => choose({ from: p.from, to: "now" }) } }, `Last ${p.label}`)),
  );
  const apply = h(
    "button",
    {
      type: "button",
      className: "primary",
      on: {
        click: () => {
          const a = Date.parse(from.value);
          const b = Date.parse(to.value);
          if (Number.isNaN(a) || Number.isNaN(b) || a >= b) {
            to.setCustomValidity("the end must be after the start");
            to.reportValidity();
            return;
          }
          to.setCustomValidity("");
          choose({ from: String(a), to: String(b) });
        },
      },
    },
    "Apply",
  );
  popover.append(presets, h("div", { className: "absolute" }, h("label", null, "From", from), h("label", null, "To", to), apply));
  const wrap = h("div", { className: "time-picker" }, button, popover);
  button.addEventListener("click", () => {
    if (!popover.hidden) return close();
    const r = resolveRange(range);
    from.value = localInput(r.startMs);
    to.value = localInput(r.endMs);
    popover.hidden = false;
    document.addEventListener("mousedown", outside);
  });
  const set = (r: RangeParam): void => {
    range = r;
    button.replaceChildren();
    append(button, icon(ICONS.clock), describeRange(r));
  };
  set(initial);
  return { el: wrap, set };
}
