/**
 * Configuration: every option has one kebab-case name used three ways — the flag
 * `--nats-url`, the environment variable `FLEETPROF_NATS_URL`, and the key `"nats-url"` in a
 * JSON config file (`--config FILE` / `FLEETPROF_CONFIG`). Precedence: flag, environment,
 * file, default. Values are validated once, at start, by {@link loadConfig}.
 */
import { readFileSync } from "node:fs";
import { ErrorCode, FleetprofError } from "./errors.js";
import { errorMessage } from "./async.js";

export type OptionType = "string" | "number" | "boolean" | "duration" | "list";

interface ValueOfType {
  string: string;
  number: number;
  boolean: boolean;
  /** Milliseconds. */
  duration: number;
  list: string[];
}

export interface OptionSpec<T extends OptionType = OptionType> {
  type: T;
  /** What the option does, shown by `--help`. */
  doc: string;
  default?: ValueOfType[T];
  /** Allowed values (strings only). */
  choices?: readonly string[];
  /** Smallest allowed value (numbers and durations). */
  min?: number;
}

export type OptionSchema = Record<string, OptionSpec>;

type Camel<S extends string> = S extends `${infer H}-${infer T}` ? `${H}${Capitalize<Camel<T>>}` : S;
type ValueOf<O> = O extends { type: infer T extends OptionType } ? ValueOfType[T] : never;

/** The typed result of loading a schema: camelCase keys; options without default may be undefined. */
export type ConfigOf<S extends OptionSchema> = {
  [K in keyof S & string as Camel<K>]: S[K] extends { default: unknown } ? ValueOf<S[K]> : ValueOf<S[K]> | undefined;
};

export function defineOptions<const S extends OptionSchema>(schema: S): S {
  return schema;
}

/** `nats-url` → `FLEETPROF_NATS_URL`. */
export function envName(option: string): string {
  return `FLEETPROF_${option.toUpperCase().replace(/-/g, "_")}`;
}

export function camelName(option: string): string {
  return option.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** Parses `250ms`, `10s`, `5m`, `2h`, `7d` or a bare number of milliseconds. */
export function parseDuration(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/.exec(text);
  if (m === null) throw new Error(`"${text}" is not a duration (use e.g. 500ms, 10s, 5m, 2h, 7d)`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[(m[2] ?? "ms") as "ms"];
  return Math.round(Number(m[1]) * unit);
}

export interface LoadOptions {
  argv?: readonly string[];
  env?: NodeJS.ProcessEnv;
  /** Config-file contents already read (tests); otherwise `--config` / FLEETPROF_CONFIG. */
  file?: Record<string, unknown>;
}

export interface Loaded<S extends OptionSchema> {
  config: ConfigOf<S>;
  /** Arguments that are not options, in order. */
  positionals: string[];
}

function convert(name: string, spec: OptionSpec, raw: unknown, source: string): unknown {
  const bad = (why: string): FleetprofError => new FleetprofError(ErrorCode.InvalidConfig, `${source}: option ${name} ${why}`);
  switch (spec.type) {
    case "string": {
      if (typeof raw !== "string") throw bad("must be a string");
      if (spec.choices !== undefined && !spec.choices.includes(raw)) throw bad(`must be one of ${spec.choices.join(", ")} (got "${raw}")`);
      return raw;
    }
    case "number": {
      const n = typeof raw === "number" ? raw : Number(raw);
      if (typeof raw === "boolean" || raw === "" || !Number.isFinite(n)) throw bad(`must be a number (got "${String(raw)}")`);
      if (spec.min !== undefined && n < spec.min) throw bad(`must be at least ${String(spec.min)} (got ${String(n)})`);
      return n;
    }
    case "duration": {
      let ms: number;
      try {
        ms = typeof raw === "number" ? raw : parseDuration(String(raw));
      } catch (err) {
        throw bad(errorMessage(err));
      }
      if (spec.min !== undefined && ms < spec.min) throw bad(`must be at least ${String(spec.min)}ms (got ${String(ms)}ms)`);
      return ms;
    }
    case "boolean": {
      if (typeof raw === "boolean") return raw;
      if (raw === "true" || raw === "1" || raw === "yes") return true;
      if (raw === "false" || raw === "0" || raw === "no") return false;
      throw bad(`must be true or false (got "${String(raw)}")`);
    }
    case "list": {
      if (Array.isArray(raw)) return raw.map(String);
      if (typeof raw === "string") return raw === "" ? [] : raw.split(",").map((s) => s.trim());
      throw bad("must be a list");
    }
  }
}

/**
 * Loads configuration from flags, environment and an optional JSON file, validating every
 * value. Unknown flags and unknown config-file keys are errors (a typo should not be silent).
 */
export function loadConfig<S extends OptionSchema>(schema: S, options: LoadOptions = {}): Loaded<S> {
  const argv = options.argv ?? process.argv.slice(2);
  const env = options.env ?? process.env;
  const flags = new Map<string, unknown>();
  const positionals: string[] = [];
  let configPath = env["FLEETPROF_CONFIG"];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === "--") {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith("--") || arg === "--") {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    let name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    let value: string | undefined = eq === -1 ? undefined : arg.slice(eq + 1);
    if (name === "config") {
      configPath = value ?? argv[++i];
      continue;
    }
    let negated = false;
    if (!(name in schema) && name.startsWith("no-") && schema[name.slice(3)]?.type === "boolean") {
      name = name.slice(3);
      negated = true;
    }
    const spec = schema[name];
    if (spec === undefined) {
      throw new FleetprofError(ErrorCode.InvalidConfig, `unknown option --${name} (see --help)`);
    }
    if (spec.type === "boolean" && value === undefined) {
      value = negated ? "false" : "true";
    } else if (value === undefined) {
      value = argv[++i];
      if (value === undefined) throw new FleetprofError(ErrorCode.InvalidConfig, `option --${name} needs a value`);
    }
    if (spec.type === "list" && flags.has(name)) {
      flags.set(name, [...(flags.get(name) as string[]), ...(convert(name, spec, value, "flag") as string[])]);
    } else {
      flags.set(name, convert(name, spec, value, "flag"));
    }
  }
  let file = options.file;
  if (file === undefined && configPath !== undefined && configPath !== "") {
    try {
      file = JSON.parse(readFileSync(configPath, "utf8")) as Record<string, unknown>;
    } catch (err) {
      throw new FleetprofError(ErrorCode.InvalidConfig, `cannot read config file ${configPath}: ${errorMessage(err)}`, { cause: err });
    }
  }
  if (file !== undefined) {
    for (const key of Object.keys(file)) {
      if (!(key in schema)) throw new FleetprofError(ErrorCode.InvalidConfig, `config file: unknown option "${key}"`);
    }
  }
  const config: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(schema)) {
    let value: unknown = spec.default;
    const fromEnv = env[envName(name)];
    if (flags.has(name)) value = flags.get(name);
    else if (fromEnv !== undefined) value = convert(name, spec, fromEnv, `environment ${envName(name)}`);
    else if (file !== undefined && name in file) value = convert(name, spec, file[name], "config file");
    config[camelName(name)] = value;
  }
  return { config: config as ConfigOf<S>, positionals };
}

/** `--help` text for a schema. */
export function describeOptions(schema: OptionSchema): string {
  const lines: string[] = [];
  for (const [name, spec] of Object.entries(schema)) {
    const def =
      spec.default === undefined
        ? ""
        : ` (default: ${Array.isArray(spec.default) ? spec.default.join(",") : String(spec.default)}${spec.type === "duration" ? "ms" : ""})`;
    lines.push(`  --${name}${spec.type === "boolean" ? "" : ` <${spec.type}>`}`.padEnd(34) + `${spec.doc}${def}  [${envName(name)}]`);
  }
  return lines.join("\n");
}
