/** Pieces every page uses: its header, a copy-link button, range parameters, request loading. */
import { h, icon, type Child } from "../dom.js";
import { ICONS } from "../icons.js";
import { DEFAULT_FROM, type RangeParam } from "../time-range.js";
import { toast } from "../components/notice.js";

export function pageHeader(title: string, subtitle: string, ...controls: Child[]): HTMLElement {
  return h(
    "div",
    { className: "page-header" },
    h("div", { className: "page-title" }, h("h1", null, title), h("p", null, subtitle)),
    h("div", { className: "page-controls" }, ...controls),
  );
}

/** Copies the page's URL: it reproduces the view. */
export function copyLinkButton(): HTMLButtonElement {
  return h(
    "button",
    {
      type: "button",
      className: "copy-link",
      title: "Copy a link to this view",
      on: {
        click: () => {
          navigator.clipboard.writeText(location.href).then(
            () => toast("Link copied: it opens this exact view"),
            () => toast(`Copy this link: ${location.href}`),
          );
        },
      },
    },
    icon(ICONS.link),
    "Copy link",
  );
}

/** A range from two URL parameters, with a default start. */
export function rangeParam(params: URLSearchParams, fromKey: string, toKey: string, defaultFrom = DEFAULT_FROM): RangeParam {
  return { from: params.get(fromKey) ?? defaultFrom, to: params.get(toKey) ?? "now" };
}

/**
 * Runs a request when its key changes, aborting the one before: a page asks again only for
 * what the URL change touched.
 */
export class Loader {
  private key: string | undefined;
  private controller: AbortController | undefined;

  /** True when `key` differs from the last run's (and so `load` was started). */
  run(key: string, load: (signal: AbortSignal) => Promise<void>): boolean {
    if (key === this.key) return false;
    this.key = key;
    this.controller?.abort();
    const controller = new AbortController();
    this.controller = controller;
    void load(controller.signal);
    return true;
  }

  /** Forgets the last key, so the next run loads again (retry after a token). */
  invalidate(): void {
    this.key = undefined;
  }

  abort(): void {
    this.controller?.abort();
    this.key = undefined;
  }
}

/** Asks for everything again (after the user entered a token, say). */
export function reloadAll(loaders: Record<string, Loader>, update: (params: URLSearchParams) => void): void {
  for (const l of Object.values(loaders)) l.invalidate();
  update(new URLSearchParams(location.search));
}

/** Stops every request of a page that is going away. */
export function abortAll(loaders: Record<string, Loader>): void {
  for (const l of Object.values(loaders)) l.abort();
}
