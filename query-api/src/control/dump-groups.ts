/**
 * Agents' dump replies → one answer: every thread of every process, identical stacks (same
 * frames, root first) grouped with their counts and the threads sharing them, most threads
 * first; each process with its threads pointing at their group.
 */
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { DumpGroupMemberSchema, DumpReply, DumpStackFrameSchema, DumpedProcessSchema, DumpedThreadSchema, DumpStackGroupSchema } from "@fleetprof/proto";

export interface HostDump {
  host: string;
  reply: DumpReply;
}

type Frame = { function: string; file: string; line: number } & MessageInitShape<typeof DumpStackFrameSchema>;
type Member = MessageInitShape<typeof DumpGroupMemberSchema>;
type Thread = { threadId: bigint; name: string; active: boolean; ownsGil: boolean; group: number } & MessageInitShape<typeof DumpedThreadSchema>;
type Group = { key: string; frames: Frame[]; threads: number; active: number; ownsGil: number; members: Member[] };

export interface GroupedDumps {
  groups: MessageInitShape<typeof DumpStackGroupSchema>[];
  processes: MessageInitShape<typeof DumpedProcessSchema>[];
  threads: number;
}

function stackKey(frames: readonly Frame[]): string {
  return frames.map((f) => `${f.function}\u0000${f.file}\u0000${String(f.line)}`).join("\u0001");
}

export function groupDumps(dumps: readonly HostDump[]): GroupedDumps {
  const groups = new Map<string, Group>();
  const processes: GroupedDumps["processes"] = [];
  /** Each process's threads with their group key, resolved to an index once groups are sorted. */
  const pending: { thread: Thread; key: string }[] = [];
  let threads = 0;
  const sortedDumps = [...dumps].sort((a, b) => (a.host < b.host ? -1 : a.host > b.host ? 1 : 0));
  for (const { host: asked, reply } of sortedDumps) {
    const host = reply.host === "" ? asked : reply.host;
    for (const p of [...reply.processes].sort((a, b) => a.pid - b.pid)) {
      const out: Thread[] = [];
      for (const t of p.threads) {
        threads++;
        const frames: Frame[] = t.frames.map((f) => ({ function: f.function, file: f.file, line: f.line }));
        const key = stackKey(frames);
        let g = groups.get(key);
        if (g === undefined) {
          g = { key, frames, threads: 0, active: 0, ownsGil: 0, members: [] };
          groups.set(key, g);
        }
        g.threads++;
        if (t.active) g.active++;
        if (t.ownsGil) g.ownsGil++;
        g.members.push({ host, pid: p.pid, service: p.service, threadId: t.threadId, threadName: t.name, active: t.active, ownsGil: t.ownsGil });
        const thread: Thread = { threadId: t.threadId, name: t.name, active: t.active, ownsGil: t.ownsGil, group: 0 };
        pending.push({ thread, key });
        out.push(thread);
      }
      processes.push({ host, pid: p.pid, service: p.service, version: p.version, error: p.error, errorKind: p.errorKind, threads: out });
    }
  }
  const sorted = [...groups.values()].sort((a, b) => b.threads - a.threads || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const index = new Map(sorted.map((g, i) => [g.key, i]));
  for (const { thread, key } of pending) thread.group = index.get(key) ?? 0;
  return {
    groups: sorted.map((g) => ({ frames: g.frames, threads: g.threads, active: g.active, ownsGil: g.ownsGil, members: g.members })),
    processes,
    threads,
  };
}
