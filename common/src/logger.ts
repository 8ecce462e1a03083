/**
 * The one root logger factory. JSON lines to stdout by default; pretty output when a person is
 * at a terminal (stdout is a TTY) or when asked. Components take `logger.child({ module })`.
 */
import { pino, type Logger, type LoggerOptions } from "pino";

export type { Logger } from "pino";

export interface LoggerConfig {
  /** Minimum level. Default `info` (or `FLEETPROF_LOG_LEVEL`). */
  level?: string;
  /** `json`, `pretty`, or `auto` (pretty on a TTY). Default `auto` (or `FLEETPROF_LOG_FORMAT`). */
  format?: "json" | "pretty" | "auto";
  /** Name of the process, logged as `name`. */
  name?: string;
  /** Where to write: a file descriptor. Default 1 (stdout). */
  destination?: number;
}

/** Paths redacted in every log line. */
export const REDACT_PATHS = ["password", "token", "authorization", "*.password", "*.token", "*.authorization", "config.clickhouseUrl", "config.natsUrl"];

export function createLogger(config: LoggerConfig = {}): Logger {
  const level = config.level ?? process.env["FLEETPROF_LOG_LEVEL"] ?? "info";
  const format = config.format ?? (process.env["FLEETPROF_LOG_FORMAT"] as LoggerConfig["format"]) ?? "auto";
  const destination = config.destination ?? 1;
  const pretty = format === "pretty" || (format === "auto" && destination === 1 && process.stdout.isTTY);
  const options: LoggerOptions = {
    level,
    redact: { paths: REDACT_PATHS, censor: "[redacted]" },
    serializers: { err: pino.stdSerializers.err },
    ...(config.name === undefined ? {} : { name: config.name }),
  };
  if (pretty) {
    return pino({
      ...options,
      transport: { target: "pino-pretty", options: { destination, colorize: true, translateTime: "SYS:HH:MM:ss.l", ignore: "pid,hostname" } },
    });
  }
  return pino(options, pino.destination({ dest: destination, sync: false }));
}

/** Remembers which kinds of problem were logged already, so each is logged once. */
export class LogOnce {
  readonly #seen = new Set<string>();
  /** True the first time `key` is seen. */
  first(key: string): boolean {
    if (this.#seen.has(key)) return false;
    this.#seen.add(key);
    return true;
  }
  forget(key: string): void {
    this.#seen.delete(key);
  }
}
