/**
 * Diffs with intervals on the terminal: one table per direction (base share, comparison share,
 * change, 95 % interval), significant rows marked `*` and the rest dimmed, plus one-line
 * summaries of the replicates, the cost per process and what was compared.
 */
import { SortBy, type DiffBasis, type FunctionDiff } from "@fleetprof/proto";
import { formatInterval, formatPercent, formatPoints } from "@fleetprof/web";
import { formatTable, type Paint } from "./table.js";

/** The wording of intervals, cost and statistics is the web UI's too: one copy, in @fleetprof/web. */
export { describeCost, describeStatistics, formatInterval, formatRelative, sortName } from "@fleetprof/web";

/** The rows of one direction; `colour` paints the change of significant rows. */
export function diffTable(list: readonly FunctionDiff[], sort: SortBy, p: Paint, colour: (s: string) => string): string {
  const total = sort === SortBy.TOTAL;
  const rows = list.map((f) => {
    const cells = [
      f.significant ? "*" : "",
      formatPercent(total ? f.baseTotalShare : f.baseSelfShare),
      formatPercent(total ? f.totalShare : f.selfShare),
      f.significant ? colour(formatPoints(f.deltaShare)) : formatPoints(f.deltaShare),
      formatInterval(f.ciLow, f.ciHigh),
      f.function,
      f.file,
    ];
    return f.significant ? cells : cells.map((c) => (c === "" ? c : p.dim(c)));
  });
  const name = total ? "TOTAL" : "SELF";
  return formatTable(
    [
      { header: "" },
      { header: `BASE ${name}`, right: true },
      { header: name, right: true },
      { header: "CHANGE", right: true },
      { header: "95 % INTERVAL", right: true },
      { header: "FUNCTION" },
      { header: "FILE" },
    ],
    rows,
  );
}

export function describeBasis(basis: DiffBasis | undefined): string {
  return basis === undefined || basis.note === "" ? "" : basis.note;
}
