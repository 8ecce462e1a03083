/**
 * Building the page without a framework: `h()` makes an element with properties, listeners
 * and children. Text is always set as text (never HTML), so profile strings cannot inject.
 */

export type Child = Node | string | number | null | undefined | false;

type Props<K extends keyof HTMLElementTagNameMap> = Partial<Omit<HTMLElementTagNameMap[K], "style" | "dataset">> & {
  /** Event listeners, e.g. `{ click: () => … }`. */
  on?: { [E in keyof HTMLElementEventMap]?: (event: HTMLElementEventMap[E]) => void };
  /** Attributes set with setAttribute (aria-*, data-*, role). */
  attrs?: Record<string, string>;
  style?: Partial<CSSStyleDeclaration>;
};

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props<K> | null = null, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (props !== null) {
    const { on, attrs, style, ...rest } = props;
    Object.assign(el, rest);
    if (style !== undefined) Object.assign(el.style, style);
    for (const [k, v] of Object.entries(attrs ?? {})) el.setAttribute(k, v);
    for (const [type, fn] of Object.entries(on ?? {})) el.addEventListener(type, fn as EventListener);
  }
  append(el, ...children);
  return el;
}

export function append(parent: Element, ...children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    parent.append(typeof c === "number" ? String(c) : c);
  }
}

/** Replaces an element's children. */
export function fill(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, ...children);
}

/** An inline SVG icon from a path (24×24 viewBox). */
export function icon(path: string, title = ""): SVGSVGElement {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("class", "icon");
  svg.setAttribute("aria-hidden", title === "" ? "true" : "false");
  const p = document.createElementNS(ns, "path");
  p.setAttribute("d", path);
  svg.append(p);
  return svg;
}

/** A function and its file for a table cell: the name, and the file's last folders (the whole path on hover). */
export function functionCell(name: string, file: string): HTMLTableCellElement {
  const parts = file.split("/");
  const short = parts.length > 3 ? `…/${parts.slice(-3).join("/")}` : file;
  return h("td", { className: "fn-cell" }, h("div", { className: "fn-name", title: name }, name), h("div", { className: "fn-file", title: file }, short));
}
