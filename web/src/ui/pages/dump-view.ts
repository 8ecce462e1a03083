/**
 * A dump's answer: identical stacks grouped (most threads first), each with how many threads
 * are active and hold the GIL, the stack leaf first, and which processes share it; then the
 * processes that could not be read and the hosts that did not answer.
 */
import type { QueryServiceDumpResponse } from "@fleetprof/proto/query";
import { h } from "../dom.js";

const FRAMES_SHOWN = 12;

function stackList(frames: QueryServiceDumpResponse["groups"][number]["frames"]): HTMLElement {
  const leafFirst = [...frames].reverse();
  const items = leafFirst.map((f, k) =>
    h(
      "li",
      { className: k === 0 ? "leaf" : "" },
      h("span", { className: "fn-name" }, f.function),
      h("span", { className: "fn-file" }, ` ${f.file}${f.line > 0 ? `:${String(f.line)}` : ""}`),
    ),
  );
  if (items.length === 0) return h("div", { className: "muted" }, "(no Python frames)");
  const list = h("ol", { className: "stack" }, ...items.slice(0, FRAMES_SHOWN));
  if (items.length <= FRAMES_SHOWN) return list;
  const more = h(
    "button",
    { type: "button", className: "link-button", on: { click: () => (list.replaceChildren(...items), more.remove()) } },
    `show ${String(items.length - FRAMES_SHOWN)} more frames`,
  );
  return h("div", null, list, more);
}

export function dumpView(res: QueryServiceDumpResponse): HTMLElement {
  const failed = res.processes.filter((p) => p.error !== "");
  const groups = res.groups.map((g, k) =>
    h(
      "div",
      { className: "dump-group" },
      h(
        "div",
        { className: "dump-group-head" },
        h("span", { className: "badge" }, `#${String(k + 1)}`),
        h("strong", null, `${String(g.threads)} thread${g.threads === 1 ? "" : "s"}`),
        h("span", { className: "muted" }, ` · ${String(g.active)} active · ${String(g.ownsGil)} holding the GIL`),
      ),
      stackList(g.frames),
      h(
        "details",
        null,
        h("summary", null, "which threads"),
        h(
          "ul",
          { className: "members" },
          ...g.members.map((m) =>
            h(
              "li",
              null,
              `${m.host} · pid ${String(m.pid)} · ${m.service} · ${m.threadName || `thread ${String(m.threadId)}`}${m.active ? " · active" : ""}${m.ownsGil ? " · GIL" : ""}`,
            ),
          ),
        ),
      ),
    ),
  );
  return h(
    "div",
    { className: "dump-result" },
    h(
      "p",
      { className: "muted" },
      `${String(res.threads)} threads in ${String(res.processes.length)} process${res.processes.length === 1 ? "" : "es"}, ${String(res.groups.length)} distinct stack${res.groups.length === 1 ? "" : "s"} (leaf first).`,
    ),
    ...groups,
    failed.length > 0
      ? h(
          "div",
          { className: "notice error" },
          h("div", { className: "notice-title" }, "Not read"),
          h("ul", null, ...failed.map((p) => h("li", null, `${p.host} pid ${String(p.pid)}: ${p.error}`))),
        )
      : null,
    res.unanswered.length > 0
      ? h(
          "div",
          { className: "notice error" },
          h("div", { className: "notice-title" }, "Hosts that did not answer"),
          h("ul", null, ...res.unanswered.map((u) => h("li", null, `${u.host} (${u.kind}): ${u.reason}`))),
        )
      : null,
  );
}
