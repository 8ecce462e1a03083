import { describe, expect, it, vi } from "vitest";
import { runCollector } from "./run.js";

describe("runCollector", () => {
  it("prints its options for --help and refuses unknown flags", async () => {
    const out = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    const err = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    try {
      expect(await runCollector(["--help"])).toBe(0);
      expect(String(out.mock.calls[0]?.[0])).toMatch(/--flush-rows[\s\S]*FLEETPROF_FLUSH_ROWS[\s\S]*--clickhouse-url/);
      expect(await runCollector(["--flush-rowz", "5"])).toBe(2);
      expect(String(err.mock.calls[0]?.[0])).toMatch(/unknown option --flush-rowz/);
    } finally {
      out.mockRestore();
      err.mockRestore();
    }
  });
});
