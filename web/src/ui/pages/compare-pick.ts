/**
 * The quick way to a comparison: a service and two of its versions, filled into both sides'
 * selectors (`{service="…", version="…"}`).
 */
import type { ListServicesResponse } from "@fleetprof/proto/query";
import { h } from "../dom.js";

const sel = (service: string, version: string): string => `{service=${JSON.stringify(service)}, version=${JSON.stringify(version)}}`;

/** service and version of a `{service="…", version="…"}` selector. */
function parse(selector: string): { service: string; version: string } {
  const m = /^\{service="((?:[^"\\]|\\.)*)", version="((?:[^"\\]|\\.)*)"\}$/.exec(selector);
  return m === null ? { service: "", version: "" } : { service: JSON.parse(`"${m[1] ?? ""}"`) as string, version: JSON.parse(`"${m[2] ?? ""}"`) as string };
}

export function quickPick(onPick: (changes: { base: string; cmp: string }) => void) {
  const service = h("select", { attrs: { "aria-label": "Service" } });
  const baseVersion = h("select", { attrs: { "aria-label": "Baseline version" } });
  const cmpVersion = h("select", { attrs: { "aria-label": "Comparison version" } });
  let services: ListServicesResponse["services"] = [];
  const versionsOf = (name: string): string[] =>
    [...(services.find((s) => s.name === name)?.versions ?? [])].sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
  const fillVersions = (name: string, base: string, cmp: string): void => {
    const vs = versionsOf(name);
    for (const [select, chosen] of [
      [baseVersion, base],
      [cmpVersion, cmp],
    ] as const) {
      select.replaceChildren(h("option", { value: "" }, "version…"), ...vs.map((v) => h("option", { value: v }, v)));
      select.value = vs.includes(chosen) ? chosen : "";
    }
  };
  const emit = (): void => {
    if (service.value === "" || baseVersion.value === "" || cmpVersion.value === "") return;
    onPick({ base: sel(service.value, baseVersion.value), cmp: sel(service.value, cmpVersion.value) });
  };
  service.addEventListener("change", () => {
    const vs = versionsOf(service.value);
    // the two latest versions: the usual question is "what did the last release change"
    fillVersions(service.value, vs[vs.length - 2] ?? "", vs[vs.length - 1] ?? "");
    emit();
  });
  baseVersion.addEventListener("change", emit);
  cmpVersion.addEventListener("change", emit);
  const el = h(
    "div",
    { className: "quick-pick" },
    h("span", { className: "muted" }, "Versions of a service:"),
    service,
    baseVersion,
    h("span", null, "→"),
    cmpVersion,
  );
  return {
    el,
    setServices(list: ListServicesResponse["services"], baseSel: string, cmpSel: string): void {
      services = list;
      const b = parse(baseSel);
      const c = parse(cmpSel);
      const current = b.service !== "" && b.service === c.service ? b.service : "";
      service.replaceChildren(h("option", { value: "" }, "service…"), ...list.map((s) => h("option", { value: s.name }, s.name)));
      service.value = list.some((s) => s.name === current) ? current : "";
      fillVersions(service.value, b.version, c.version);
    },
  };
}
