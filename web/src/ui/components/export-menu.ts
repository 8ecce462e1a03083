/**
 * Export buttons: the profile as pprof, collapsed stacks or speedscope JSON (the Export RPC,
 * the same files `fleetprof export`-style commands write), or the flame graph on screen as one
 * self-contained HTML file (the same page `fleetprof flame -o x.html` writes).
 */
import type { ExportFormat as ExportFormatEnum } from "@fleetprof/proto/query";
import { ExportFormat, exportFormatName } from "../../flame/proto-enums.js";
import type { FlameData } from "../../flame/flame-data.js";
import { flameHtml, type FlameHtmlOptions } from "../../viewer/flame-html.js";
import { api } from "../api.js";
import { h, icon } from "../dom.js";
import { ICONS } from "../icons.js";
import { toTimeRange, type ResolvedRange } from "../time-range.js";
import { toast } from "./notice.js";

export interface ExportSource {
  /** File names start with this. */
  name: string;
  /** For pprof, collapsed and speedscope (plain graphs only). */
  query?: { selector: string; range: ResolvedRange };
  html: { data: FlameData; options: FlameHtmlOptions };
}

function download(name: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const a = h("a", { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A file-name-safe stem from a selector. */
export function fileStem(text: string): string {
  return (
    text
      .replace(/[^\w.@-]+/g, "_")
      .replace(/^_+|_+$/g, "")
      .slice(0, 80) || "fleetprof"
  );
}

async function viewerAssets(): Promise<{ js: string; css: string }> {
  const [js, css] = await Promise.all(["/viewer/flame-viewer.js", "/viewer/flame-viewer.css"].map(async (u) => (await fetch(u)).text()));
  return { js: js ?? "", css: css ?? "" };
}

async function run(source: ExportSource, format: ExportFormatEnum | "html"): Promise<void> {
  if (format === "html") {
    const page = flameHtml(source.html.data, source.html.options, await viewerAssets());
    download(`${source.name}.html`, new Blob([page], { type: "text/html" }));
    return;
  }
  if (source.query === undefined) return;
  const out = await api.export({ selector: source.query.selector, range: toTimeRange(source.query.range), format });
  download(`${source.name}${out.fileSuffix}`, new Blob([out.data.slice()], { type: out.contentType }));
}

export function exportMenu(source: () => ExportSource | undefined): HTMLElement {
  const menu = h("div", { className: "popover export-popover", hidden: true, attrs: { role: "menu" } });
  const button = h("button", { type: "button", className: "export-button", attrs: { "aria-haspopup": "menu" } }, icon(ICONS.download), "Export");
  const item = (label: string, hint: string, format: ExportFormatEnum | "html", plainOnly: boolean): HTMLButtonElement =>
    h(
      "button",
      {
        type: "button",
        className: "menu-item",
        attrs: {
          role: "menuitem",
          "data-format": typeof format === "string" ? format : exportFormatName(format).toLowerCase(),
          ...(plainOnly ? { "data-plain-only": "1" } : {}),
        },
        on: {
          click: () => {
            menu.hidden = true;
            const s = source();
            if (s === undefined) return;
            run(s, format).then(
              () => toast(`Downloaded ${label}`),
              (err: unknown) => toast(`Export failed: ${(err as Error).message}`),
            );
          },
        },
      },
      h("strong", null, label),
      h("span", null, hint),
    );
  menu.append(
    item("pprof", ".pb.gz for go tool pprof", ExportFormat.PPROF, true),
    item("collapsed", "flamegraph.pl / inferno text", ExportFormat.COLLAPSED, true),
    item("speedscope", "JSON for speedscope.app", ExportFormat.SPEEDSCOPE, true),
    item("HTML", "this flame graph, one offline file", "html", false),
  );
  const outside = (e: MouseEvent): void => {
    if (!wrap.contains(e.target as Node)) {
      menu.hidden = true;
      document.removeEventListener("mousedown", outside);
    }
  };
  button.addEventListener("click", () => {
    const s = source();
    for (const b of menu.querySelectorAll<HTMLButtonElement>("[data-plain-only]")) b.disabled = s?.query === undefined;
    menu.hidden = !menu.hidden;
    if (!menu.hidden) document.addEventListener("mousedown", outside);
  });
  const wrap = h("div", { className: "export-menu" }, button, menu);
  return wrap;
}
