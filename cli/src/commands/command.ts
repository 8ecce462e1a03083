/**
 * The shape of a `fleetprof` subcommand, and the one argument parser they share: the common
 * configuration loader (flag, FLEETPROF_* environment, --config file) plus the two short
 * flags people expect (`-o FILE`, `-h`).
 */
import { describeOptions, ErrorCode, FleetprofError, loadConfig, type Loaded, type OptionSchema } from "@fleetprof/common";
import type { QueryClient } from "../client/query-client.js";
import type { ClientConnection } from "../client/connect.js";
import type { Io } from "../io.js";

export interface CommandContext {
  io: Io;
  /** Opens a query API client; tests pass a fake. */
  connect: (connection: ClientConnection) => Promise<QueryClient>;
}

export interface Command {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** `fleetprof flame <selector> [options]` */
  usage: string;
  /** Paragraphs after the usage line. */
  description?: string;
  examples?: string[];
  /** Options shown by --help; a function when they come from a package loaded on demand. */
  options: () => Promise<OptionSchema> | OptionSchema;
  /** Returns the exit code. */
  run: (argv: string[], ctx: CommandContext) => Promise<number>;
}

const SHORT: Record<string, string> = { "-o": "--output", "-h": "--help" };

export function expandShortFlags(argv: readonly string[]): string[] {
  return argv.map((a) => SHORT[a] ?? a);
}

export function wantsHelp(argv: readonly string[]): boolean {
  const stop = argv.indexOf("--");
  return (stop === -1 ? argv : argv.slice(0, stop)).some((a) => a === "--help" || a === "-h");
}

export async function helpText(command: Command): Promise<string> {
  const lines = [`Usage: ${command.usage}`, "", command.summary];
  if (command.description !== undefined) lines.push("", command.description);
  const options = await command.options();
  if (Object.keys(options).length > 0)
    lines.push("", "Options (flag, or environment variable in brackets, or key in --config FILE):", describeOptions(options));
  if (command.examples !== undefined && command.examples.length > 0) lines.push("", "Examples:", ...command.examples.map((e) => `  ${e}`));
  return lines.join("\n") + "\n";
}

export function parseArgs<S extends OptionSchema>(schema: S, argv: readonly string[], io: Io): Loaded<S> {
  return loadConfig(schema, { argv: expandShortFlags(argv), env: io.env });
}

/** Exactly `count` positionals, or a usage error naming what is missing. */
export function positionals(loaded: { positionals: string[] }, names: string[], usage: string, optional = 0): string[] {
  const got = loaded.positionals;
  if (got.length < names.length - optional) {
    throw new FleetprofError(ErrorCode.InvalidArgument, `missing ${names.slice(got.length).join(" and ")}: ${usage}`);
  }
  if (got.length > names.length) {
    throw new FleetprofError(ErrorCode.InvalidArgument, `unexpected argument "${got[names.length] ?? ""}": ${usage}`);
  }
  return got;
}
