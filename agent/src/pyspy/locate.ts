/**
 * Finding the real py-spy binary. `py-spy` on PATH is often a wrapper (a pyenv shim is a bash
 * script that runs pyenv before exec'ing the binary, ~50 ms of CPU per window), so a native
 * executable is preferred: on PATH, else next to the real interpreter of `python3`.
 */
import { execFileSync } from "node:child_process";
import { accessSync, constants, closeSync, openSync, readSync } from "node:fs";
import { delimiter, dirname, join } from "node:path";
import { ErrorCode, FleetprofError } from "@fleetprof/common";

export const INSTALL_HINT =
  "install it with `pip install py-spy` (or `python3 -m pip install py-spy==0.4.2`), or pass --py-spy /path/to/py-spy (FLEETPROF_PY_SPY)";

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** True when the file starts with the ELF magic (a native binary, not a script). */
export function isNativeBinary(path: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(path, "r");
    const head = Buffer.alloc(4);
    readSync(fd, head, 0, 4, 0);
    return head[0] === 0x7f && head.toString("latin1", 1, 4) === "ELF";
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function pythonBinDir(): string | undefined {
  try {
    const exe = execFileSync("python3", ["-c", "import sys; print(sys.executable)"], {
      encoding: "utf8",
      timeout: 10_000,
      stdio: ["ignore", "pipe", "ignore"],
    }).trim();
    return exe === "" ? undefined : dirname(exe);
  } catch {
    return undefined;
  }
}

/**
 * The py-spy to run. `explicit` (the --py-spy option) must exist; otherwise the search order is:
 * a native py-spy on PATH, the one next to python3's real interpreter, any py-spy on PATH.
 * Throws MissingPrerequisite with the fix when there is none.
 */
export function locatePySpy(explicit: string | undefined, path = process.env["PATH"] ?? ""): string {
  if (explicit !== undefined && explicit !== "") {
    if (executable(explicit)) return explicit;
    throw new FleetprofError(ErrorCode.MissingPrerequisite, `py-spy not found at ${explicit} (--py-spy): ${INSTALL_HINT}`);
  }
  const onPath = path
    .split(delimiter)
    .filter((d) => d !== "")
    .map((d) => join(d, "py-spy"))
    .filter(executable);
  const native = onPath.find(isNativeBinary);
  if (native !== undefined) return native;
  const binDir = pythonBinDir();
  if (binDir !== undefined) {
    const beside = join(binDir, "py-spy");
    if (executable(beside)) return beside;
  }
  if (onPath[0] !== undefined) return onPath[0];
  throw new FleetprofError(ErrorCode.MissingPrerequisite, `py-spy is not installed (not on PATH, not next to python3): ${INSTALL_HINT}`);
}
