import { describe, expect, it, vi } from "vitest";
import { agentOptions, completeAgentConfig } from "./options.js";
import { AGENT_USAGE, runAgent } from "./run-agent.js";

describe("fleetprof agent command", () => {
  it("prints its options with their environment variables", async () => {
    const write = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    expect(await runAgent(["--help"])).toBe(0);
    write.mockRestore();
    for (const name of Object.keys(agentOptions)) expect(AGENT_USAGE).toContain(`--${name}`);
    expect(AGENT_USAGE).toContain("FLEETPROF_NATS_URL");
  });

  it("exits 2 on a bad option, naming it, before starting anything", async () => {
    const err = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    expect(await runAgent(["--windw", "5s"])).toBe(2);
    expect(await runAgent(["--mode", "native"])).toBe(2);
    expect(await runAgent(["--include", "((", "--spool-dir", "/nonexistent/never"])).toBe(2);
    const said = err.mock.calls.map((c) => String(c[0])).join("");
    err.mockRestore();
    expect(said).toMatch(/unknown option --windw/);
    expect(said).toMatch(/option mode must be one of cpu, wall, gil/);
    expect(said).toMatch(/option include: "\(\(" is not a regular expression/);
  });

  it("fills a partial programmatic config with the defaults", () => {
    const c = completeAgentConfig({ natsUrl: "nats://x:1", window: 5000 });
    expect(c).toMatchObject({ natsUrl: "nats://x:1", window: 5000, rate: 100, mode: "cpu", nonblocking: true, interval: 5000 });
    expect(c.host.length).toBeGreaterThan(0);
  });
});
