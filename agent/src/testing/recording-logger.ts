/**
 * A logger for unit tests that keeps every line it is given (level, fields, message), so a test
 * can check what a module told the user. Not part of the built package.
 */
import type { Logger } from "@fleetprof/common";

export interface LoggedLine {
  level: "trace" | "debug" | "info" | "warn" | "error" | "fatal";
  fields: Record<string, unknown>;
  msg: string;
}

/** A Logger whose lines (its children's too) land in `lines`. */
export function recordingLogger(): { log: Logger; lines: LoggedLine[] } {
  const lines: LoggedLine[] = [];
  const level =
    (name: LoggedLine["level"]) =>
    (fields: Record<string, unknown> | string, msg?: string): void => {
      if (typeof fields === "string") lines.push({ level: name, fields: {}, msg: fields });
      else lines.push({ level: name, fields, msg: msg ?? "" });
    };
  const log: Record<string, unknown> = {
    trace: level("trace"),
    debug: level("debug"),
    info: level("info"),
    warn: level("warn"),
    error: level("error"),
    fatal: level("fatal"),
  };
  log["child"] = () => log;
  return { log: log as unknown as Logger, lines };
}
