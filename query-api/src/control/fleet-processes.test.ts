import { create } from "@bufbuild/protobuf";
import { AgentStatusReplySchema, ProfileMode } from "@fleetprof/proto";
import { describe, expect, it } from "vitest";
import { parseSelector } from "../selector/index.js";
import { matchingProcesses } from "./fleet-processes.js";

const replies = [
  create(AgentStatusReplySchema, {
    host: "web-2",
    mode: ProfileMode.CPU,
    processes: [
      { pid: 7, service: "api", version: "1.5", state: "running", labels: { team: "pay", service: "not-this" } },
      { pid: 8, service: "api", version: "1.6", state: "backoff" },
      { pid: 9, service: "api", version: "1.5", state: "finished" },
    ],
  }),
  create(AgentStatusReplySchema, { host: "web-1", mode: ProfileMode.WALL, processes: [{ pid: 3, service: "api", version: "1.5", state: "running" }] }),
  // The same agent answering twice (a host whose subject token is `all`).
  create(AgentStatusReplySchema, { host: "web-1", mode: ProfileMode.WALL, processes: [{ pid: 3, service: "api", version: "1.5", state: "running" }] }),
];

describe("matchingProcesses", () => {
  it("matches service, version, host, pid, the agent's mode and free labels; skips finished ones; dedupes by host and pid", () => {
    const pick = (selector: string): string[] => matchingProcesses(replies, parseSelector(selector)).map((p) => `${p.host}/${String(p.pid)}`);
    expect(pick("api")).toEqual(["web-1/3", "web-2/7", "web-2/8"]);
    expect(pick('api{version="1.5"}')).toEqual(["web-1/3", "web-2/7"]);
    expect(pick('{mode="wall"}')).toEqual(["web-1/3"]);
    expect(pick('{team="pay"}')).toEqual(["web-2/7"]);
    expect(pick('{host="web-2", pid="8"}')).toEqual(["web-2/8"]);
    expect(pick('{service="not-this"}')).toEqual([]);
    expect(pick('{thread="MainThread"}')).toEqual([]);
  });
});
