/**
 * The fleetprof web UI: a top bar with the four pages (Services, Explore, Compare, Incidents),
 * the page the URL names, and keyboard shortcuts (`?` lists them).
 */
import "./app.css";
import { h, icon } from "./dom.js";
import { ICONS } from "./icons.js";
import { comparePage } from "./pages/compare.js";
import { explorePage } from "./pages/explore.js";
import { incidentsPage } from "./pages/incidents.js";
import { servicesPage } from "./pages/services.js";
import { interceptLinks, onNavigate, type Page, type PageFactory } from "./router.js";

// the module's first line: how long the script took to load (the explore-ui benchmark reads it)
performance.mark("app-loaded");

const PAGES: { path: string; title: string; make: PageFactory }[] = [
  { path: "/services", title: "Services", make: servicesPage },
  { path: "/explore", title: "Explore", make: explorePage },
  { path: "/compare", title: "Compare", make: comparePage },
  { path: "/incidents", title: "Incidents", make: incidentsPage },
];

const SHORTCUTS: [string, string][] = [
  ["/", "search the flame graph"],
  ["Esc", "reset zoom and search"],
  ["click", "zoom into a frame (again: zoom out one level)"],
  ["right-click", "callers and callees of a function (sandwich)"],
  ["drag on the chart", "zoom into a time range"],
  ["Tab", "complete a label or value in a selector"],
  ["?", "this list"],
];

function helpDialog(): HTMLDialogElement {
  const dialog = h(
    "dialog",
    { className: "help", attrs: { "aria-label": "Keyboard and mouse" } },
    h("h2", null, "Keyboard and mouse"),
    h("table", null, ...SHORTCUTS.map(([k, what]) => h("tr", null, h("td", null, h("kbd", null, k)), h("td", null, what)))),
    h(
      "p",
      { className: "muted" },
      "CPU time is samples ÷ sampling rate (100 Hz, the agents' default; add hz=… to the URL for another). Cores are CPU seconds per second.",
    ),
    h("form", { method: "dialog" }, h("button", { className: "primary" }, "Close")),
  );
  return dialog;
}

function start(): void {
  performance.mark("app-start");
  const app = document.getElementById("app") as HTMLElement;
  const links = PAGES.map((p) => h("a", { href: p.path, className: "nav-link" }, p.title));
  const help = helpDialog();
  const helpButton = h(
    "button",
    { type: "button", className: "help-button", title: "Keyboard shortcuts (?)", on: { click: () => help.showModal() } },
    icon(ICONS.keyboard),
    "?",
  );
  const main = h("main", { className: "page" });
  app.append(
    h(
      "header",
      { className: "topbar" },
      h("a", { href: "/services", className: "brand" }, icon(ICONS.flame), "fleetprof"),
      h("nav", null, ...links),
      h("span", { className: "grow" }),
      helpButton,
    ),
    main,
    help,
  );
  interceptLinks(document.body);
  document.addEventListener("keydown", (e) => {
    const typing = e.target instanceof HTMLInputElement || e.target instanceof HTMLTextAreaElement || e.target instanceof HTMLSelectElement;
    if (e.key === "?" && !typing) help.showModal();
  });
  let current: { path: string; page: Page } | undefined;
  onNavigate((path, params) => {
    const spec = PAGES.find((p) => p.path === path) ?? PAGES[0];
    if (spec === undefined) return;
    if (current?.path !== spec.path) {
      current?.page.destroy();
      main.replaceChildren();
      document.getElementById("tooltip")?.setAttribute("hidden", "");
      current = { path: spec.path, page: spec.make(main) };
      document.title = `${spec.title} · fleetprof`;
      for (const [k, a] of links.entries()) a.classList.toggle("active", PAGES[k]?.path === spec.path);
    }
    current.page.update(params);
  });
}

// The script is async: it runs as soon as it is loaded, while an Explore page may still be
// receiving its flame graph at the end of the body. The body's elements come in the first
// chunk, before it; should they not be parsed yet, wait for them.
if (document.getElementById("tooltip") === null) document.addEventListener("readystatechange", start, { once: true });
else start();
