/**
 * What `fleetprof up` needs from the machine, checked before anything starts. Each missing
 * piece gets one line saying what is missing and how to fix it.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";

export interface Prerequisite {
  what: string;
  /** The one-line message: what is wrong and the fix. */
  problem: string;
}

export interface Found {
  natsServer?: string;
  python?: string;
  pySpy?: string | undefined;
  problems: Prerequisite[];
}

function runs(command: string, args: string[]): string | undefined {
  try {
    return execFileSync(command, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 10_000 }).trim();
  } catch {
    return undefined;
  }
}

/** CAP_SYS_PTRACE is capability 19. */
export function canTrace(status = readFileSync("/proc/self/status", "utf8"), uid = process.getuid?.() ?? 0): boolean {
  if (uid === 0) return true;
  const capEff = /^CapEff:\s*([0-9a-f]+)/m.exec(status)?.[1];
  return capEff !== undefined && (BigInt(`0x${capEff}`) & (1n << 19n)) !== 0n;
}

export function checkPrerequisites(needs: { nats: boolean; agent: boolean; demo: boolean; pySpy?: string | undefined }): Found {
  const found: Found = { problems: [] };
  const [major = 0, minor = 0] = process.versions.node.split(".").map(Number);
  if (major < 20 || (major === 20 && minor < 19)) {
    found.problems.push({ what: "node", problem: `Node.js ${process.versions.node} is too old: install Node.js 20.19 or newer` });
  }
  if (needs.nats) {
    if (runs("nats-server", ["--version"]) === undefined) {
      found.problems.push({
        what: "nats-server",
        problem: "nats-server not found: apt-get install nats-server (or point at a running server with --nats-url)",
      });
    } else {
      found.natsServer = "nats-server";
    }
  }
  if (needs.agent || needs.demo) {
    const python = runs("python3", ["-c", "import sys; print(sys.executable)"]);
    if (python === undefined || python === "") {
      found.problems.push({ what: "python3", problem: "python3 not found: apt-get install python3" });
    } else {
      found.python = python;
    }
  }
  if (needs.agent) {
    const candidates = [needs.pySpy, found.python === undefined ? undefined : join(dirname(found.python), "py-spy"), "py-spy"].filter(
      (c): c is string => c !== undefined && (c === "py-spy" || existsSync(c)),
    );
    found.pySpy = candidates.find((c) => runs(c, ["--version"]) !== undefined);
    if (found.pySpy === undefined) {
      found.problems.push({ what: "py-spy", problem: "py-spy not found: pip install py-spy==0.4.2 (or pass --py-spy PATH)" });
    }
    if (!canTrace()) {
      found.problems.push({
        what: "ptrace",
        problem:
          'not allowed to trace other processes: run as root, or grant CAP_SYS_PTRACE (sudo setcap cap_sys_ptrace+ep "$(command -v py-spy)"), or start with --no-agent',
      });
    }
  }
  return found;
}
