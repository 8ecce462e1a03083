/**
 * Pages and the URL: every view's state lives in the path and query string, so a copied link
 * reproduces it. A page is told about every URL change and decides what to fetch again.
 */

export interface Page {
  /** Called once after mounting and on every URL change while shown. */
  update(params: URLSearchParams): void;
  /** Called when the user leaves the page: abort requests, drop listeners. */
  destroy(): void;
}

export type PageFactory = (root: HTMLElement) => Page;

type Listener = (path: string, params: URLSearchParams) => void;
const listeners: Listener[] = [];

function notify(): void {
  const params = new URLSearchParams(location.search);
  for (const l of listeners) l(location.pathname, params);
}

/** Calls `fn` now and after every navigation (links, back and forward). */
export function onNavigate(fn: Listener): void {
  listeners.push(fn);
  window.addEventListener("popstate", () => fn(location.pathname, new URLSearchParams(location.search)));
  fn(location.pathname, new URLSearchParams(location.search));
}

/** The URL of a page with these parameters (empty values left out). */
export function href(path: string, params: Record<string, string | undefined> = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== "") q.set(k, v);
  const s = q.toString();
  return s === "" ? path : `${path}?${s}`;
}

/** Goes to a URL inside the app. */
export function navigate(url: string, replace = false): void {
  if (url === `${location.pathname}${location.search}`) return;
  if (replace) history.replaceState(null, "", url);
  else history.pushState(null, "", url);
  notify();
}

/**
 * Changes some parameters of the current page. `replace` for changes that should not make a
 * history entry each (typing in search).
 */
export function setParams(changes: Record<string, string | undefined>, replace = false): void {
  const q = new URLSearchParams(location.search);
  for (const [k, v] of Object.entries(changes)) {
    if (v === undefined || v === "") q.delete(k);
    else q.set(k, v);
  }
  const s = q.toString();
  navigate(s === "" ? location.pathname : `${location.pathname}?${s}`, replace);
}

/** Makes same-origin `<a href>` clicks navigate inside the app. */
export function interceptLinks(root: HTMLElement): void {
  root.addEventListener("click", (e) => {
    const a = (e.target as Element).closest("a");
    if (a === null || a.target !== "" || a.hasAttribute("download") || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    const url = new URL(a.href, location.href);
    if (url.origin !== location.origin) return;
    e.preventDefault();
    navigate(`${url.pathname}${url.search}`);
  });
}
