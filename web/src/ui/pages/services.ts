/**
 * Services: every service seen in the range with a sparkline of its CPU use, average cores,
 * CPU time, versions and hosts. A click explores a service or one version; services with two
 * versions or more offer a comparison of the latest two.
 */
import type { ListServicesResponse, TimeSeriesResponse } from "@fleetprof/proto/query";
import { formatCores, formatCpu } from "../../flame/format.js";
import { api } from "../api.js";
import { h, fill } from "../dom.js";
import { empty, failure, loading } from "../components/notice.js";
import { sparkline } from "../components/sparkline.js";
import { timePicker } from "../components/time-picker.js";
import { href, setParams, type Page } from "../router.js";
import { chartStepMs, resolveRange, toTimeRange, type RangeParam } from "../time-range.js";
import { cores, rateFrom } from "../units.js";
import { copyLinkButton, Loader, pageHeader, rangeParam } from "./page-kit.js";

const quote = (v: string): string => JSON.stringify(v);

function rangeLinks(range: RangeParam): Record<string, string> {
  return { from: range.from, to: range.to };
}

function serviceRow(
  s: ListServicesResponse["services"][number],
  series: TimeSeriesResponse["series"][number] | undefined,
  stepMs: number,
  range: RangeParam,
  rateHz: number,
): HTMLElement {
  const values = (series?.points ?? []).map((p) => cores(Number(p.samples), rateHz, stepMs));
  const spanS = (resolveRange(range).endMs - resolveRange(range).startMs) / 1000;
  const versions = [...s.versions].sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
  const explore = (version?: string): string =>
    href("/explore", {
      q: version === undefined ? `{service=${quote(s.name)}}` : `{service=${quote(s.name)}, version=${quote(version)}}`,
      ...rangeLinks(range),
    });
  const last = versions.slice(-2);
  const compare =
    last.length === 2
      ? href("/compare", {
          base: `{service=${quote(s.name)}, version=${quote(last[0] ?? "")}}`,
          cmp: `{service=${quote(s.name)}, version=${quote(last[1] ?? "")}}`,
          bfrom: range.from,
          bto: range.to,
          cfrom: range.from,
          cto: range.to,
        })
      : undefined;
  return h(
    "tr",
    { className: "service-row" },
    h("td", null, h("a", { href: explore(), className: "service-name" }, s.name)),
    h("td", null, sparkline(values, `${s.name}: CPU cores over the range`)),
    h("td", { className: "num" }, formatCores(Number(s.samples) / rateHz / spanS)),
    h("td", { className: "num" }, formatCpu(Number(s.samples), rateHz)),
    h(
      "td",
      null,
      h("div", { className: "chips" }, ...versions.map((v) => h("a", { href: explore(v), className: "chip", title: `Explore ${s.name} ${v}` }, v))),
    ),
    h("td", { className: "num" }, String(s.hosts)),
    h(
      "td",
      { className: "row-actions" },
      h("a", { href: explore(), className: "button-link" }, "Explore"),
      compare !== undefined
        ? h("a", { href: compare, className: "button-link", title: `${last[0] ?? ""} → ${last[1] ?? ""}` }, `Compare ${last[0] ?? ""} → ${last[1] ?? ""}`)
        : null,
    ),
  );
}

export function servicesPage(root: HTMLElement): Page {
  const loader = new Loader();
  const body = h("div", { className: "panel" });
  let range: RangeParam = { from: "now-1h", to: "now" };
  const picker = timePicker(range, (r) => setParams({ from: r.from, to: r.to }));
  root.append(
    pageHeader("Services", "Every service seen in the time range. Pick one to explore its flame graph, or compare two versions.", picker.el, copyLinkButton()),
    body,
  );
  const load =
    (rateHz: number) =>
    async (signal: AbortSignal): Promise<void> => {
      fill(body, loading("Loading services…"));
      try {
        const r = toTimeRange(resolveRange(range));
        const [list, series] = await Promise.all([
          api.listServices({ range: r }, { signal }),
          api.timeSeries({ range: r, stepMs: BigInt(chartStepMs(resolveRange(range), 40)), groupBy: "service", limit: 100 }, { signal }),
        ]);
        if (list.services.length === 0) {
          fill(
            body,
            empty(
              "No samples in this time range",
              "Is an agent running? `fleetprof up --demo` starts one with a demo service; samples arrive after about 20 s.",
            ),
          );
          return;
        }
        const byName = new Map(series.series.map((s) => [s.group, s]));
        fill(
          body,
          h(
            "table",
            { className: "data-table services-table" },
            h(
              "thead",
              null,
              h(
                "tr",
                null,
                h("th", null, "Service"),
                h("th", null, "CPU over time"),
                h("th", { className: "num" }, "Average"),
                h("th", { className: "num" }, "CPU time"),
                h("th", null, "Versions"),
                h("th", { className: "num" }, "Hosts"),
                h("th", null),
              ),
            ),
            h("tbody", null, ...list.services.map((s) => serviceRow(s, byName.get(s.name), Number(series.stepMs), range, rateHz))),
          ),
        );
      } catch (err) {
        fill(body, failure(err, retry));
      }
    };
  const retry = (): void => {
    loader.invalidate();
    update(new URLSearchParams(location.search));
  };
  function update(params: URLSearchParams): void {
    range = rangeParam(params, "from", "to");
    picker.set(range);
    loader.run(`${range.from}|${range.to}|${String(rateFrom(params))}|${String(Math.floor(Date.now() / 10_000))}`, load(rateFrom(params)));
  }
  return { update, destroy: () => loader.abort() };
}
