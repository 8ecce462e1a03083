/** A dump answer as text: stack groups (most threads first), per-process details, hosts that did not answer. */
import type { DumpStackGroup, QueryServiceDumpResponse } from "@fleetprof/proto";
import type { Paint } from "./table.js";

function where(f: { file: string; line: number }): string {
  return f.line > 0 ? `${f.file}:${String(f.line)}` : f.file;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${String(n)} ${n === 1 ? one : many}`;
}

/** "idle", "active", "active, holds the GIL", or counts when the group mixes them. */
function state(g: DumpStackGroup): string {
  const parts: string[] = [];
  if (g.active === g.threads) parts.push("active");
  else if (g.active === 0) parts.push("idle");
  else parts.push(`${String(g.active)} active, ${String(g.threads - g.active)} idle`);
  if (g.ownsGil > 0) parts.push(g.ownsGil === g.threads ? "holding the GIL" : `${String(g.ownsGil)} holding the GIL`);
  return parts.join(", ");
}

/** Which processes share a group: `host pid service (thread, thread)`, a few then a count. */
function members(g: DumpStackGroup, max = 8): string[] {
  const byProcess = new Map<string, string[]>();
  for (const m of g.members) {
    const key = `${m.host} pid ${String(m.pid)}${m.service === "" ? "" : ` ${m.service}`}`;
    const list = byProcess.get(key) ?? [];
    list.push(m.threadName === "" ? String(m.threadId) : m.threadName);
    byProcess.set(key, list);
  }
  const lines = [...byProcess].slice(0, max).map(([p, threads]) => `${p} (${threads.join(", ")})`);
  if (byProcess.size > max) lines.push(`… and ${String(byProcess.size - max)} more processes`);
  return lines;
}

export function formatDump(res: QueryServiceDumpResponse, p: Paint, details: boolean): string {
  const out: string[] = [];
  const hosts = new Set(res.processes.map((x) => x.host)).size;
  const failed = res.processes.filter((x) => x.error !== "");
  out.push(
    `${plural(res.processes.length, "process", "processes")} on ${plural(hosts, "host")} · ${plural(res.threads, "thread")} in ${plural(res.groups.length, "distinct stack")}` +
      (failed.length > 0 ? ` · ${String(failed.length)} not read` : ""),
  );
  res.groups.forEach((g, i) => {
    const processes = new Set(g.members.map((m) => `${m.host}/${String(m.pid)}`)).size;
    out.push("", p.bold(`#${String(i + 1)}  ${plural(g.threads, "thread")} in ${plural(processes, "process", "processes")} · ${state(g)}`));
    if (g.frames.length === 0) out.push("    (no Python frames)");
    // Leaf first: where the threads are now, then how they got there.
    for (const f of [...g.frames].reverse()) out.push(`    ${f.function.padEnd(30)} ${p.dim(where(f))}`);
    for (const line of members(g)) out.push(`  ${p.dim(line)}`);
  });
  if (details) {
    out.push("", p.bold("Processes"));
    for (const proc of res.processes) {
      const head = `${proc.host} pid ${String(proc.pid)} ${proc.service}${proc.version === "" ? "" : `@${proc.version}`}`;
      if (proc.error !== "") {
        out.push(`  ${head}: ${p.red(`not read (${proc.errorKind}): ${proc.error}`)}`);
        continue;
      }
      out.push(`  ${head}: ${plural(proc.threads.length, "thread")}`);
      for (const t of proc.threads) {
        const leaf = res.groups[t.group]?.frames.at(-1);
        const flags = [t.active ? "active" : "idle", ...(t.ownsGil ? ["GIL"] : [])].join(", ");
        out.push(
          `    ${(t.name === "" ? String(t.threadId) : t.name).padEnd(20)} ${String(t.threadId).padEnd(10)} ${flags.padEnd(11)} #${String(t.group + 1)} ${leaf === undefined ? "" : leaf.function}`,
        );
      }
    }
  } else if (failed.length > 0) {
    out.push("", p.bold("Not read"));
    for (const proc of failed) out.push(`  ${proc.host} pid ${String(proc.pid)}: ${p.red(proc.error)}`);
  }
  if (res.unanswered.length > 0) {
    out.push("", p.bold(p.red("Hosts that did not answer")));
    for (const u of res.unanswered) out.push(`  ${u.host}: ${u.reason}`);
  }
  if (res.skipped.length > 0) {
    out.push("", p.bold("Not asked (the server's fan-out caps)"));
    for (const s of res.skipped) out.push(`  ${s.host}${s.pids.length === 0 ? "" : ` ${plural(s.pids.length, "process", "processes")}`}: ${s.reason}`);
  }
  return out.join("\n") + "\n";
}
