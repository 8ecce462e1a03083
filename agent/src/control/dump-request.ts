/**
 * Answers a DumpRequest: `py-spy dump` on every requested process (all profiled ones when the
 * list is empty), several at a time, within one deadline; each process's threads or what went
 * wrong with it.
 */
import { existsSync } from "node:fs";
import { create } from "@bufbuild/protobuf";
import { DumpReplySchema, ProcessDumpSchema, type DumpReply, type DumpRequest, type ProcessDump } from "@fleetprof/proto";
import type { SamplerTarget } from "../sampling/process-sampler.js";
import { dumpErrorMessage, dumpProcess, mapLimited, type DumpOutcome } from "./dump.js";

/** py-spy dumps running at once. */
const DUMP_PARALLEL = 8;

export interface DumpDeps {
  host: string;
  pySpy: () => string | undefined;
  /** Every process the agent profiles. */
  targets: () => SamplerTarget[];
  deadlineMs: number;
  procDir: string;
}

export async function answerDump(req: DumpRequest, d: DumpDeps): Promise<DumpReply> {
  const until = Date.now() + d.deadlineMs;
  const targets = d.targets();
  const byPid = new Map(targets.map((t) => [t.pid, t]));
  const pids = req.pids.length === 0 ? targets.map((t) => t.pid).sort((a, b) => a - b) : [...new Set(req.pids)];
  const pySpy = d.pySpy();
  if (pySpy === undefined)
    return create(DumpReplySchema, {
      host: d.host,
      error: `py-spy is not installed on host ${d.host}: install it (pip install py-spy) or pass --py-spy to the agent`,
    });
  const processes = await mapLimited(pids, DUMP_PARALLEL, async (pid): Promise<ProcessDump> => {
    const target = byPid.get(pid);
    const base = { pid, service: target?.service ?? "", version: target?.version ?? "" };
    let outcome: DumpOutcome;
    if (target === undefined) {
      const kind = existsSync(`${d.procDir}/${String(pid)}`) ? "not-profiled" : "gone";
      outcome = { kind, error: dumpErrorMessage(kind, pid, "") };
    } else {
      outcome = await dumpProcess({ pySpy, pid, native: req.native, timeoutMs: until - Date.now() });
    }
    if ("error" in outcome) return create(ProcessDumpSchema, { ...base, error: outcome.error, errorKind: outcome.kind });
    return create(ProcessDumpSchema, { ...base, threads: outcome.threads });
  });
  return create(DumpReplySchema, { host: d.host, processes });
}
