/**
 * The DiffFlameGraph RPC: both sides merged by stack (the base range defaults to the
 * comparison's), how each side was sampled (a diff compares like with like), one diff tree.
 */
import { create } from "@bufbuild/protobuf";
import { DiffFlameGraphResponseSchema, type DiffFlameGraphRequest } from "@fleetprof/proto";
import { readSampling, type StackProfile } from "@fleetprof/store";
import type { CallContext } from "../grpc/adapter.js";
import { diffBasis, type DiffBasis } from "../profile/diff-basis.js";
import { toFlameGraph } from "../profile/flame-graph.js";
import { buildDiffTree } from "../profile/tree.js";
import { matchersToFilter, parseSelector } from "../selector/index.js";
import type { Reads } from "./reads.js";
import { isZeroRange, resolveMaxNodes, resolveRange } from "./request.js";
import type { QueryServiceImpl } from "./types.js";

/** Both sides of a diff flame graph, and how each was sampled (coverage has no `thread`). */
async function diffSides(reads: Reads, req: DiffFlameGraphRequest, ctx: CallContext): Promise<{ sides: [StackProfile, StackProfile]; basis: DiffBasis }> {
  const { limits } = reads;
  const window = resolveRange(req.range, limits);
  const baseWindow = isZeroRange(req.baseRange) ? window : resolveRange(req.baseRange, limits, Date.now(), "base_range");
  const sides = [
    { matchers: parseSelector(req.baseSelector), window: baseWindow },
    { matchers: parseSelector(req.selector), window },
  ];
  const [profiles, sampling] = await Promise.all([
    Promise.all(sides.map((s) => reads.profileOf(matchersToFilter(s.matchers), s.window, ctx))),
    readSampling(
      reads.store,
      sides.map((s) => ({
        filter: matchersToFilter(s.matchers),
        coverageFilter: matchersToFilter(s.matchers.filter((m) => m.label !== "thread")),
        window: s.window,
      })),
      reads.read(ctx),
    ),
  ]);
  const [b, c] = sampling;
  return {
    sides: [profiles[0] as StackProfile, profiles[1] as StackProfile],
    basis: diffBasis(b?.modes ?? [], c?.modes ?? [], b?.rates ?? [], c?.rates ?? [], "samples"),
  };
}

export function diffFlameHandler(reads: Reads): Pick<QueryServiceImpl, "diffFlameGraph"> {
  return {
    diffFlameGraph: async (req: DiffFlameGraphRequest, ctx) => {
      const maxNodes = resolveMaxNodes(req.maxNodes, reads.limits);
      const {
        sides: [base, cmp],
        basis,
      } = await diffSides(reads, req, ctx);
      const firsts = [base.firstMs, cmp.firstMs].filter((t) => t > 0);
      const graph = toFlameGraph(buildDiffTree(base, cmp), {
        maxNodes,
        diff: true,
        firstMs: firsts.length === 0 ? 0 : Math.min(...firsts),
        lastMs: Math.max(base.lastMs, cmp.lastMs),
        source: cmp.source,
      });
      const response = create(DiffFlameGraphResponseSchema, {
        basis: { baseMode: basis.baseMode, mode: basis.mode, baseRatesHz: basis.baseRates, ratesHz: basis.rates, note: basis.note },
      });
      response.flameGraph = graph;
      return response;
    },
  };
}
