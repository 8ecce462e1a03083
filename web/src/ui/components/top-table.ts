/**
 * Top functions beside the flame graph: self and total per function, computed by the server
 * over every sample (before any flame graph truncation), as CPU time and share. The sort
 * column is part of the URL; a row highlights its function in the graph, its ≡ button opens
 * the function's sandwich.
 */
import type { FunctionStat, TopFunctionsResponse } from "@fleetprof/proto/query";
import { formatCpu, formatPercent } from "../../flame/format.js";
import { functionCell, h, icon } from "../dom.js";
import { ICONS } from "../icons.js";

export type TopSort = "self" | "total";

export interface TopTableOptions {
  rateHz: number;
  sort: TopSort;
  onSort: (sort: TopSort) => void;
  onHighlight: (fn: FunctionStat) => void;
  onSandwich: (fn: FunctionStat) => void;
}

function bar(share: number): HTMLElement {
  return h("span", { className: "share-bar" }, h("span", { style: { width: `${(Math.min(1, share) * 100).toFixed(1)}%` } }));
}

export function topTable(res: TopFunctionsResponse, o: TopTableOptions): HTMLElement {
  const header = (label: string, key: TopSort): HTMLElement =>
    h(
      "th",
      { className: `num sortable${o.sort === key ? " sorted" : ""}`, attrs: { "aria-sort": o.sort === key ? "descending" : "none" } },
      h("button", { type: "button", title: `Sort by ${label.toLowerCase()} time`, on: { click: () => o.onSort(key) } }, label, o.sort === key ? " ▾" : ""),
    );
  const rows = res.functions.map((f) =>
    h(
      "tr",
      { title: `${f.function} (${f.file}): click to highlight in the graph`, on: { click: () => o.onHighlight(f) } },
      functionCell(f.function, f.file),
      h("td", { className: "num" }, formatCpu(Number(f.self), o.rateHz), bar(f.selfShare)),
      h("td", { className: "num muted" }, formatPercent(f.selfShare)),
      h("td", { className: "num" }, formatCpu(Number(f.total), o.rateHz), bar(f.totalShare)),
      h("td", { className: "num muted" }, formatPercent(f.totalShare)),
      h(
        "td",
        { className: "actions" },
        h(
          "button",
          {
            type: "button",
            className: "icon-button",
            title: `Callers and callees of ${f.function} (sandwich)`,
            attrs: { "aria-label": `Sandwich of ${f.function}` },
            on: {
              click: (e) => {
                e.stopPropagation();
                o.onSandwich(f);
              },
            },
          },
          icon(ICONS.layers),
        ),
      ),
    ),
  );
  return h(
    "table",
    { className: "data-table top-table" },
    h(
      "thead",
      null,
      h(
        "tr",
        null,
        h("th", null, "Function"),
        header("Self", "self"),
        h("th", { className: "num" }, "%"),
        header("Total", "total"),
        h("th", { className: "num" }, "%"),
        h("th", null),
      ),
    ),
    h("tbody", null, ...rows),
  );
}
