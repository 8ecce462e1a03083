import { create } from "@bufbuild/protobuf";
import { DumpReplySchema } from "@fleetprof/proto";
import { describe, expect, it } from "vitest";
import { groupDumps } from "./dump-groups.js";

const frames = (...names: string[]) => names.map((n, i) => ({ function: n, file: "app.py", line: i + 1 }));

describe("groupDumps", () => {
  it("groups identical stacks across processes and hosts, most threads first, and points each thread at its group", () => {
    const h1 = create(DumpReplySchema, {
      host: "h1",
      processes: [
        { pid: 20, service: "shop", threads: [{ threadId: 20n, name: "MainThread", active: true, ownsGil: true, frames: frames("main", "work") }] },
        {
          pid: 10,
          service: "shop",
          threads: [
            { threadId: 10n, name: "MainThread", frames: frames("main", "wait_for_lock") },
            { threadId: 11n, name: "pool", active: true, frames: frames("main", "work") },
          ],
        },
        { pid: 30, service: "shop", error: "process 30 is gone", errorKind: "gone" },
      ],
    });
    const h2 = create(DumpReplySchema, {
      host: "h2",
      processes: [{ pid: 10, service: "shop", threads: [{ threadId: 10n, name: "MainThread", active: true, frames: frames("main", "work") }] }],
    });
    const g = groupDumps([
      { host: "h2", reply: h2 },
      { host: "h1", reply: h1 },
    ]);
    expect(g.threads).toBe(4);
    expect(g.groups.map((x) => [x.frames?.at(-1)?.function, x.threads, x.active, x.ownsGil])).toEqual([
      ["work", 3, 3, 1],
      ["wait_for_lock", 1, 0, 0],
    ]);
    expect(g.groups[0]?.members?.map((m) => `${m.host ?? ""}/${String(m.pid)}/${m.threadName ?? ""}`)).toEqual([
      "h1/10/pool",
      "h1/20/MainThread",
      "h2/10/MainThread",
    ]);
    expect(g.processes.map((p) => `${p.host ?? ""}/${String(p.pid)}`)).toEqual(["h1/10", "h1/20", "h1/30", "h2/10"]);
    expect(g.processes[0]?.threads?.map((t) => t.group)).toEqual([1, 0]);
    expect(g.processes[2]).toMatchObject({ error: "process 30 is gone", errorKind: "gone", threads: [] });
  });
});
