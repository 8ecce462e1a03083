/** Writes command output to a file or stdout; refuses binary data on a terminal. */
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { ErrorCode, errorMessage, FleetprofError } from "@fleetprof/common";
import type { Io } from "../io.js";

/** Writes `content` to `file` (relative to the working directory) or stdout; returns the path written, if any. */
export function writeOutput(io: Io, file: string | undefined, content: string | Uint8Array, binary = false): string | undefined {
  if (file === undefined || file === "-") {
    if (binary && io.stdout.isTTY === true) {
      throw new FleetprofError(ErrorCode.InvalidArgument, "not writing binary data to a terminal: pass -o FILE or redirect stdout");
    }
    io.stdout.write(content);
    return undefined;
  }
  const path = resolve(io.cwd, file);
  try {
    writeFileSync(path, content);
  } catch (err) {
    throw new FleetprofError(ErrorCode.PermissionDenied, `cannot write ${path}: ${errorMessage(err)}`, { cause: err });
  }
  return path;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${String(n)} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}
