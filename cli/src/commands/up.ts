/** `fleetprof up`: the whole stack on this machine. */
import { defineOptions, ErrorCode, FleetprofError } from "@fleetprof/common";
import type { Command } from "./command.js";

export const upOptions = defineOptions({
  demo: { type: "boolean", doc: "also start a small Python demo service in two versions", default: false },
  "data-dir": { type: "string", doc: "where NATS and the embedded ClickHouse keep their data", default: "./.fleetprof" },
  "nats-url": { type: "string", doc: "use this NATS server instead of starting one" },
});

export const upCommand: Command = {
  name: "up",
  summary: "Run the whole stack here: NATS, collector and query API on embedded ClickHouse, an agent",
  usage: "fleetprof up [--demo] [--data-dir ./.fleetprof] [--nats-url URL]",
  options: () => upOptions,
  run: async () => {
    throw new FleetprofError(ErrorCode.Unsupported, "not built yet");
  },
};
