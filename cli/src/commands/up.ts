/** `fleetprof up`: the whole stack on this machine (see up/run-up.ts). */
import { defineOptions, onShutdown } from "@fleetprof/common";
import { startStack } from "../up/run-up.js";
import { parseArgs, positionals, type Command } from "./command.js";

export const upOptions = defineOptions({
  demo: { type: "boolean", doc: "also start a small Python demo service in two versions (shop-demo 1.0 and 2.0)", default: false },
  "data-dir": { type: "string", doc: "where NATS and the embedded ClickHouse keep their data; a second up resumes on it", default: "./.fleetprof" },
  "nats-url": { type: "string", doc: "use this NATS server (with JetStream) instead of starting nats-server" },
  "nats-port": { type: "number", doc: "port for the nats-server started here (a free one if taken)", default: 4222, min: 0 },
  "api-port": { type: "number", doc: "port of the query API on loopback (a free one if taken)", default: 4319, min: 0 },
  "http-listen": { type: "string", doc: "host:port of the web UI and its Connect API (a free port if taken); empty: off", default: "127.0.0.1:4040" },
  agent: { type: "boolean", doc: "run an agent for this machine's Python processes (--no-agent to skip)", default: true },
  "py-spy": { type: "string", doc: "path of the py-spy binary (default: next to python3 or on PATH)" },
  "log-level": {
    type: "string",
    doc: "log level of the components (logs go to stderr)",
    default: "warn",
    choices: ["trace", "debug", "info", "warn", "error", "fatal"],
  },
});

const USAGE = "fleetprof up [--demo] [--data-dir ./.fleetprof] [--nats-url URL]";

export const upCommand: Command = {
  name: "up",
  summary: "Run the whole stack here: NATS, collector and query API on embedded ClickHouse, an agent",
  usage: USAGE,
  description:
    "Starts nats-server with JetStream in the data dir (unless --nats-url), the collector and the query API in\nthis process on one embedded ClickHouse (chdb://<data-dir>/data), and an agent for this machine's Python\nprocesses. Needs nats-server, python3 and py-spy, and the right to trace (root or CAP_SYS_PTRACE).",
  examples: ["fleetprof up --demo", "fleetprof up --data-dir /var/lib/fleetprof", "fleetprof up --nats-url nats://127.0.0.1:4222 --no-agent"],
  options: () => upOptions,
  run: async (argv, ctx) => {
    const loaded = parseArgs(upOptions, argv, ctx.io);
    positionals(loaded, [], USAGE);
    const c = loaded.config;
    const stack = await startStack(
      {
        demo: c.demo,
        dataDir: c.dataDir,
        natsUrl: c.natsUrl,
        natsPort: c.natsPort,
        apiPort: c.apiPort,
        httpListen: c.httpListen,
        agent: c.agent,
        pySpy: c.pySpy,
        logLevel: c.logLevel,
      },
      ctx.io,
    );
    return new Promise<number>((resolve) => {
      let stopping = false;
      onShutdown(async (signal) => {
        stopping = true;
        ctx.io.stdout.write(`\nfleetprof up: ${signal}, stopping…\n`);
        await stack.stop();
        ctx.io.stdout.write("fleetprof up: stopped\n");
        resolve(0);
      }, 30_000);
      // a closed terminal stops the stack as cleanly as Ctrl-C
      process.once("SIGHUP", () => process.kill(process.pid, "SIGTERM"));
      void stack.failed.then(async (why) => {
        if (stopping) return;
        ctx.io.stderr.write(`fleetprof up: ${why}\nstopping everything\n`);
        await stack.stop();
        resolve(1);
      });
    });
  },
};
