/**
 * The `fleetprof` dispatcher: finds the subcommand, prints help built from each command's
 * option schema, and turns any failure into one line on stderr and a non-zero exit code.
 */
import { connectQueryApi } from "./client/connect.js";
import { describeError } from "./client/describe-error.js";
import { helpText, wantsHelp, type Command, type CommandContext } from "./commands/command.js";
import { agentCommand, collectorCommand, queryApiCommand } from "./commands/components.js";
import { captureCommand } from "./commands/capture.js";
import { diffCommand } from "./commands/diff.js";
import { dumpCommand } from "./commands/dump.js";
import { flameCommand } from "./commands/flame.js";
import { labelsCommand } from "./commands/labels.js";
import { reportCommand } from "./commands/report.js";
import { seriesCommand } from "./commands/series.js";
import { servicesCommand } from "./commands/services.js";
import { topCommand } from "./commands/top.js";
import { upCommand } from "./commands/up.js";
import { processIo } from "./io.js";

export const COMMANDS: Command[] = [
  upCommand,
  servicesCommand,
  labelsCommand,
  flameCommand,
  diffCommand,
  topCommand,
  reportCommand,
  seriesCommand,
  dumpCommand,
  captureCommand,
  agentCommand,
  collectorCommand,
  queryApiCommand,
];

const GROUPS: [string, string[]][] = [
  ["Run everything on this machine", ["up"]],
  ["Ask the query API (--api host:port)", ["services", "labels", "flame", "diff", "top", "report", "series"]],
  ["Incidents: ask the agents now (query API with --nats-url)", ["dump", "capture"]],
  ["Run one component", ["agent", "collector", "query-api"]],
];

export function usage(): string {
  const lines = ["fleetprof: continuous profiling for fleets of Python processes", "", "Usage: fleetprof <command> [options]"];
  for (const [title, names] of GROUPS) {
    lines.push("", `${title}:`);
    for (const name of names) {
      const c = COMMANDS.find((x) => x.name === name);
      if (c !== undefined) lines.push(`  ${c.name.padEnd(11)} ${c.summary}`);
    }
  }
  lines.push(
    "",
    'Selectors: a service name (shop), name@version (shop@2.0), or {service="shop", host!="h3"}.',
    "Times: --since 15m, 2h, 7d, an ISO time (2026-11-25T10:00:00Z) or Unix seconds; --until likewise.",
    "",
    "Every option is also an environment variable (--api → FLEETPROF_API) and a key in --config FILE.",
    "Run `fleetprof <command> --help` for a command's options and examples.",
  );
  return lines.join("\n") + "\n";
}

export async function main(argv: string[], ctx: CommandContext = { io: processIo(), connect: connectQueryApi }): Promise<number> {
  const { io } = ctx;
  const [name, ...rest] = argv;
  if (name === undefined || name === "help" || name === "--help" || name === "-h") {
    const topic = name === "help" ? COMMANDS.find((c) => c.name === rest[0]) : undefined;
    io.stdout.write(topic === undefined ? usage() : await helpText(topic));
    return name === undefined ? 2 : 0;
  }
  if (name === "--version" || name === "version") {
    io.stdout.write("fleetprof 0.1.0\n");
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (command === undefined) {
    io.stderr.write(`fleetprof: unknown command "${name}". Commands: ${COMMANDS.map((c) => c.name).join(", ")} (fleetprof --help)\n`);
    return 2;
  }
  try {
    if (wantsHelp(rest)) {
      io.stdout.write(await helpText(command));
      return 0;
    }
    return await command.run(rest, ctx);
  } catch (err) {
    const { message, exitCode } = describeError(err);
    // one line per problem (prerequisites may list several)
    io.stderr.write(
      message
        .split("\n")
        .map((line) => `fleetprof ${command.name}: ${line}\n`)
        .join(""),
    );
    if (io.env["FLEETPROF_DEBUG"] !== undefined && err instanceof Error) io.stderr.write(`${err.stack ?? ""}\n`);
    return exitCode;
  }
}
