/**
 * The selector bar: a text field for Prometheus-style selectors with suggestions for
 * service names, label names and label values (from ListLabelNames / ListLabelValues over
 * the page's time range). Enter runs the selector; ↑ ↓ and Tab pick a suggestion.
 */
import { api } from "../api.js";
import { h } from "../dom.js";
import { accept, completionAt, rank, type Completion } from "../selector-context.js";
import { toTimeRange, type ResolvedRange } from "../time-range.js";

export interface SelectorInputOptions {
  value: string;
  label: string;
  placeholder?: string;
  range: () => ResolvedRange;
  onSubmit: (value: string) => void;
}

export interface SelectorInput {
  el: HTMLElement;
  input: HTMLInputElement;
  set(value: string): void;
}

const cache = new Map<string, { at: number; values: Promise<string[]> }>();

/** Label names or values, cached for 30 s per range minute. */
function options(c: Completion, range: ResolvedRange): Promise<string[]> {
  const key = `${c.kind}:${c.kind === "value" ? c.label : ""}:${String(Math.floor(range.startMs / 60_000))}:${String(Math.floor(range.endMs / 60_000))}`;
  const hit = cache.get(key);
  if (hit !== undefined && Date.now() - hit.at < 30_000) return hit.values;
  const r = toTimeRange(range);
  const values =
    c.kind === "name"
      ? api.listLabelNames({ range: r }).then((x) => x.names)
      : api.listLabelValues({ name: c.kind === "value" ? c.label : "service", range: r, limit: 500 }).then((x) => x.values);
  const entry = { at: Date.now(), values: values.catch(() => []) };
  cache.set(key, entry);
  return entry.values;
}

/** The text field, announced as a combobox with a list of suggestions. */
function selectorField(o: SelectorInputOptions): HTMLInputElement {
  return h("input", {
    type: "text",
    value: o.value,
    placeholder: o.placeholder ?? '{service="shop", version="2.0"}  or  shop',
    spellcheck: false,
    autocomplete: "off",
    className: "selector",
    attrs: { "aria-label": o.label, role: "combobox", "aria-autocomplete": "list", "aria-expanded": "false" },
  });
}

/** One suggestion; a mouse press picks it without taking the focus from the field. */
function suggestion(text: string, active: boolean, pick: () => void): HTMLLIElement {
  const mousedown = (e: MouseEvent): void => {
    e.preventDefault();
    pick();
  };
  return h("li", { className: active ? "active" : "", attrs: { role: "option" }, on: { mousedown } }, text);
}

export function selectorInput(o: SelectorInputOptions): SelectorInput {
  const input = selectorField(o);
  const list = h("ul", { className: "suggestions", hidden: true, attrs: { role: "listbox" } });
  let items: string[] = [];
  let active = 0;
  let context: Completion | undefined;
  let seq = 0;
  const close = (): void => {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
  };
  const render = (): void => {
    list.replaceChildren(...items.map((v, k) => suggestion(v, k === active, () => choose(k))));
    list.hidden = items.length === 0;
    input.setAttribute("aria-expanded", String(!list.hidden));
  };
  const suggest = async (): Promise<void> => {
    const mine = ++seq;
    context = completionAt(input.value, input.selectionStart ?? input.value.length);
    if (context === undefined) return close();
    const all = await options(context, o.range());
    if (mine !== seq || context === undefined) return;
    items = rank(all, context.prefix);
    active = 0;
    render();
  };
  const choose = (k: number): void => {
    const v = items[k];
    if (v === undefined || context === undefined) return;
    const out = accept(input.value, input.selectionStart ?? input.value.length, context, v);
    input.value = out.text;
    input.setSelectionRange(out.caret, out.caret);
    close();
    if (context.kind === "service" || context.kind === "value") {
      // a finished service or value: nothing more to suggest right here
      items = [];
    } else void suggest();
  };
  input.addEventListener("input", () => void suggest());
  input.addEventListener("focus", () => void suggest());
  input.addEventListener("blur", close);
  input.addEventListener("keydown", (e) => {
    const open = !list.hidden && items.length > 0;
    if (open && (e.key === "ArrowDown" || e.key === "ArrowUp")) {
      e.preventDefault();
      active = (active + (e.key === "ArrowDown" ? 1 : items.length - 1)) % items.length;
      render();
    } else if (open && (e.key === "Tab" || (e.key === "Enter" && !e.ctrlKey))) {
      e.preventDefault();
      choose(active);
    } else if (e.key === "Enter") {
      close();
      o.onSubmit(input.value.trim());
    } else if (e.key === "Escape") {
      if (open) e.stopPropagation();
      close();
    }
  });
  const el = h("div", { className: "selector-input" }, input, list);
  const set = (v: string): void => {
    if (document.activeElement !== input) input.value = v;
  };
  return { el, input, set };
}
