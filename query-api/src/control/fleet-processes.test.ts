import { create } from "@bufbuild/protobuf";
import { AgentStatusReplySchema, ProfileMode } from "@fleetprof/proto";
import { describe, expect, it } from "vitest";
import { reportedProcesses } from "./fleet-processes.js";

const replies = [
  create(AgentStatusReplySchema, {
    host: "web-2",
    mode: ProfileMode.CPU,
    processes: [
      { pid: 7, service: "api", version: "1.5", state: "running", labels: { team: "pay", thread: "not-this", capture_id: "nor-this" } },
      { pid: 8, service: "api", version: "1.6", state: "backoff" },
      { pid: 9, service: "api", version: "1.5", state: "finished" },
    ],
  }),
  create(AgentStatusReplySchema, { host: "web-1", mode: ProfileMode.WALL, processes: [{ pid: 3, service: "api", version: "1.5", state: "running" }] }),
  // The same agent answering twice (a host whose subject token is `all`).
  create(AgentStatusReplySchema, { host: "web-1", mode: ProfileMode.WALL, processes: [{ pid: 3, service: "api", version: "1.5", state: "running" }] }),
];

describe("reportedProcesses", () => {
  it("keeps running processes by host and pid, deduplicated, with the labels a selector sees", () => {
    const found = reportedProcesses(replies);
    expect(found.map((f) => `${f.process.host}/${String(f.process.pid)}`)).toEqual(["web-1/3", "web-2/7", "web-2/8"]);
    expect(found[0]?.labels).toEqual({ service: "api", version: "1.5", host: "web-1", pid: 3, mode: "wall", labels: {} });
    expect(found[1]?.labels).toEqual({ service: "api", version: "1.5", host: "web-2", pid: 7, mode: "cpu", labels: { team: "pay" } });
  });

  it("considers at most the given number of processes", () => {
    expect(reportedProcesses(replies, 2)).toHaveLength(2);
  });
});
