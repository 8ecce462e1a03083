/**
 * The sandwich of one function: who calls it (drawn upwards, the function at the bottom) and
 * what it calls (drawn downwards, the function on top), each merged from every place the
 * function appears.
 */
import type { FlameData } from "../../flame/flame-data.js";
import { FlameView } from "../../flame/flame-view.js";
import { formatCount, formatCpu, formatPercent } from "../../flame/format.js";
import type { Layout } from "../../flame/layout.js";
import { sandwichOf } from "../../flame/sandwich.js";
import { h } from "../dom.js";
import { empty } from "./notice.js";
import { exposeView } from "./test-handle.js";

export interface SandwichOptions {
  rateHz: number;
  tooltip: HTMLElement;
  fn: string;
}

export class SandwichView {
  private readonly views: FlameView[] = [];

  constructor(box: HTMLElement, data: FlameData, layout: Layout, at: number, o: SandwichOptions) {
    box.replaceChildren();
    if (at < 0) {
      box.append(empty(`${o.fn} is not in this flame graph`, "Pick another function in the table, or right-click a frame."));
      return;
    }
    const s = sandwichOf(data, layout, at);
    const total = s.callees.sum;
    const share = data.sum > 0 ? total / data.sum : 0;
    const callersCanvas = h("canvas", { className: "fp-canvas", attrs: { "aria-label": `Callers of ${o.fn}` } });
    const calleesCanvas = h("canvas", { className: "fp-canvas", attrs: { "aria-label": `Callees of ${o.fn}` } });
    box.append(
      h(
        "div",
        { className: "sandwich-head" },
        h("span", { className: "fn-name" }, o.fn),
        ` · ${formatCount(total)} samples · ${formatPercent(share)} of the graph${o.rateHz > 0 ? ` · ${formatCpu(total, o.rateHz)} CPU` : ""} · in ${formatCount(s.occurrences)} place${s.occurrences === 1 ? "" : "s"}`,
      ),
      h("h3", { className: "sandwich-title" }, "Callers ", h("span", null, "— where it is called from, merged (the function is the bottom row)")),
      h("div", { className: "sandwich-part callers" }, callersCanvas),
      h("h3", { className: "sandwich-title" }, "Callees ", h("span", null, "— what it calls, merged (the function is the top row)")),
      h("div", { className: "sandwich-part callees" }, calleesCanvas),
    );
    const callers = new FlameView(callersCanvas, s.callers, { rateHz: o.rateHz, tooltip: o.tooltip, inverted: true });
    const callees = new FlameView(calleesCanvas, s.callees, { rateHz: o.rateHz, tooltip: o.tooltip });
    this.views.push(callers, callees);
    exposeView("callers", callers);
    exposeView("callees", callees);
  }

  destroy(): void {
    for (const v of this.views.splice(0)) v.destroy();
    exposeView("callers", undefined);
    exposeView("callees", undefined);
  }
}
