/**
 * One `fleetprof up` per data directory (the embedded ClickHouse allows one owner): a pid
 * file, taken over when the process that wrote it is gone, so a second `up` after Ctrl-C or
 * a crash resumes on the same data.
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ErrorCode, FleetprofError } from "@fleetprof/common";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

export function lockDataDir(dataDir: string): () => void {
  const file = join(dataDir, "up.pid");
  let other: number | undefined;
  try {
    other = Number(readFileSync(file, "utf8").trim());
  } catch {
    // no lock yet
  }
  if (other !== undefined && Number.isInteger(other) && other > 0 && other !== process.pid && alive(other)) {
    throw new FleetprofError(
      ErrorCode.InvalidConfig,
      `another fleetprof up (pid ${String(other)}) is using ${dataDir}: stop it first, or pass a different --data-dir`,
    );
  }
  writeFileSync(file, `${String(process.pid)}\n`);
  return () => {
    try {
      if (readFileSync(file, "utf8").trim() === String(process.pid)) rmSync(file);
    } catch {
      // already gone
    }
  };
}
