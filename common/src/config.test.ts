import { describe, expect, it } from "vitest";
import { defineOptions, describeOptions, envName, loadConfig, parseDuration } from "./config.js";

const schema = defineOptions({
  "nats-url": { type: "string", doc: "NATS server", default: "nats://127.0.0.1:4222" },
  window: { type: "duration", doc: "window", default: 10_000, min: 1000 },
  rate: { type: "number", doc: "Hz", default: 100 },
  idle: { type: "boolean", doc: "idle", default: false },
  include: { type: "list", doc: "regexes", default: [] },
  mode: { type: "string", doc: "mode", default: "cpu", choices: ["cpu", "wall", "gil"] },
  token: { type: "string", doc: "no default" },
});

describe("config", () => {
  it("uses one name for flag, environment and file, with flag > env > file > default", () => {
    expect(envName("nats-url")).toBe("FLEETPROF_NATS_URL");
    const { config } = loadConfig(schema, {
      argv: ["--rate", "200", "--no-idle", "--include=a", "--include", "b,c"],
      env: { FLEETPROF_NATS_URL: "nats://env:4222", FLEETPROF_RATE: "50" },
      file: { "nats-url": "nats://file:4222", window: "30s", mode: "wall" },
    });
    expect(config).toEqual({ natsUrl: "nats://env:4222", window: 30_000, rate: 200, idle: false, include: ["a", "b", "c"], mode: "wall", token: undefined });
  });

  it("rejects bad values and unknown names with a message that names the option", () => {
    expect(() => loadConfig(schema, { argv: ["--rate", "fast"], env: {} })).toThrow(/option rate must be a number/);
    expect(() => loadConfig(schema, { argv: ["--window", "10"], env: {} })).toThrow(/at least 1000ms/);
    expect(() => loadConfig(schema, { argv: ["--mode", "cpu2"], env: {} })).toThrow(/one of cpu, wall, gil/);
    expect(() => loadConfig(schema, { argv: ["--nats-ur", "x"], env: {} })).toThrow(/unknown option --nats-ur/);
    expect(() => loadConfig(schema, { argv: [], env: {}, file: { natsUrl: "x" } })).toThrow(/unknown option "natsUrl"/);
    expect(() => loadConfig(schema, { argv: ["--rate"], env: {} })).toThrow(/needs a value/);
  });

  it("keeps positionals", () => {
    expect(loadConfig(schema, { argv: ["flame", "--rate", "1", "api", "--", "--x"], env: {} }).positionals).toEqual(["flame", "api", "--x"]);
  });

  it("parses durations", () => {
    expect(parseDuration("250ms")).toBe(250);
    expect(parseDuration("1.5s")).toBe(1500);
    expect(parseDuration("2h")).toBe(7_200_000);
    expect(parseDuration("42")).toBe(42);
    expect(() => parseDuration("soon")).toThrow(/not a duration/);
  });

  it("documents every option with its environment variable", () => {
    expect(describeOptions(schema)).toContain("FLEETPROF_NATS_URL");
  });
});
