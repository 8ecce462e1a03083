import { describe, expect, it } from "vitest";
import { capTargets } from "./dump.js";

describe("capTargets", () => {
  it("asks the first hosts by name and the first pids of each, and lists the rest with the cap that left them out", () => {
    const all = new Map([
      ["web-3", [1, 2]],
      ["web-1", [5, 6, 7, 8]],
      ["web-2", []],
    ]);
    const { wanted, skipped } = capTargets(all, { maxHosts: 2, maxProcessesPerHost: 3 });
    expect([...wanted]).toEqual([
      ["web-1", [5, 6, 7]],
      ["web-2", []],
    ]);
    expect(skipped.map((s) => [s.host, s.pids])).toEqual([
      ["web-1", [8]],
      ["web-3", [1, 2]],
    ]);
    expect(skipped[0]?.reason).toMatch(/option dump-max-processes-per-host/);
    expect(skipped[1]?.reason).toMatch(/option dump-max-hosts/);
  });

  it("leaves nothing out under the caps", () => {
    expect(capTargets(new Map([["h", [1, 2]]]), { maxHosts: 1, maxProcessesPerHost: 2 }).skipped).toEqual([]);
  });
});
