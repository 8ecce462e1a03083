/**
 * Reading one process's facts from /proc (or a /proc mounted elsewhere). Every reader returns
 * undefined (never throws) when the process is gone or the file may not be read.
 */
import { readFileSync, readdirSync, readlinkSync } from "node:fs";
import { join } from "node:path";

/** Linux USER_HZ: /proc times are in these ticks on every mainstream architecture. */
const CLOCK_TICKS_PER_SECOND = 100;

export interface ProcStat {
  pid: number;
  /** Short name from the kernel (15 chars). */
  comm: string;
  state: string;
  ppid: number;
  /** Start time in clock ticks since boot: with the pid, it identifies a process. */
  startTicks: number;
}

export interface ProcReadError {
  /** errno code, e.g. EACCES or ENOENT. */
  code: string;
}

export class ProcFs {
  constructor(readonly dir = "/proc") {}

  /** Numeric entries of /proc. */
  pids(): number[] {
    const out: number[] = [];
    for (const entry of readdirSync(this.dir)) {
      if (entry.charCodeAt(0) >= 48 && entry.charCodeAt(0) <= 57) out.push(Number(entry));
    }
    return out;
  }

  stat(pid: number): ProcStat | undefined {
    const text = this.read(pid, "stat");
    return text === undefined ? undefined : parseStat(text);
  }

  /** Arguments, split on NUL; [] for kernel threads and zombies. */
  cmdline(pid: number): string[] | undefined {
    const text = this.read(pid, "cmdline");
    if (text === undefined) return undefined;
    const parts = text.split("\0");
    if (parts.at(-1) === "") parts.pop();
    // A process that rewrote its title (setproctitle) may leave one space-joined string.
    return parts;
  }

  /** The executable's path, or the errno that stopped us reading it. */
  exe(pid: number): string | ProcReadError {
    try {
      return readlinkSync(join(this.dir, String(pid), "exe")).replace(/ \(deleted\)$/, "");
    } catch (err) {
      return { code: (err as NodeJS.ErrnoException).code ?? "EIO" };
    }
  }

  /** Paths of the files mapped into the process (deduplicated), or the errno. */
  mappedFiles(pid: number): string[] | ProcReadError {
    let text: string;
    try {
      text = readFileSync(join(this.dir, String(pid), "maps"), "latin1");
    } catch (err) {
      return { code: (err as NodeJS.ErrnoException).code ?? "EIO" };
    }
    const files = new Set<string>();
    for (const line of text.split("\n")) {
      const slash = line.indexOf("/");
      if (slash !== -1) files.add(line.slice(slash));
    }
    return [...files];
  }

  /** Environment at exec time; undefined when not readable. */
  environ(pid: number): Record<string, string> | undefined {
    const text = this.read(pid, "environ");
    if (text === undefined) return undefined;
    const env: Record<string, string> = {};
    for (const entry of text.split("\0")) {
      const eq = entry.indexOf("=");
      if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
    }
    return env;
  }

  /** Real uid from /proc/PID/status. */
  uid(pid: number): number | undefined {
    const text = this.read(pid, "status");
    const m = text === undefined ? null : /^Uid:\s+(\d+)/m.exec(text);
    return m === null ? undefined : Number(m[1]);
  }

  cgroup(pid: number): string | undefined {
    return this.read(pid, "cgroup");
  }

  cwd(pid: number): string | undefined {
    try {
      return readlinkSync(join(this.dir, String(pid), "cwd"));
    } catch {
      return undefined;
    }
  }

  /** Seconds since boot (for process ages). */
  uptimeSeconds(): number {
    const text = readFileSync(join(this.dir, "uptime"), "latin1");
    return Number(text.split(" ")[0]);
  }

  /** Boot time, unix seconds. */
  bootTimeSeconds(): number {
    const m = /^btime (\d+)/m.exec(readFileSync(join(this.dir, "stat"), "latin1"));
    return m === null ? 0 : Number(m[1]);
  }

  /** Process age in ms. */
  ageMs(stat: ProcStat, uptimeSeconds: number): number {
    return Math.max(0, (uptimeSeconds - stat.startTicks / CLOCK_TICKS_PER_SECOND) * 1000);
  }

  /** Process start, unix ms. */
  startUnixMs(stat: ProcStat, bootTimeSeconds: number): number {
    return bootTimeSeconds * 1000 + Math.round((stat.startTicks * 1000) / CLOCK_TICKS_PER_SECOND);
  }

  /** The value of a sysctl under /proc/sys, e.g. `kernel/yama/ptrace_scope`. */
  sysctl(name: string): string | undefined {
    try {
      return readFileSync(join(this.dir, "sys", name), "latin1").trim();
    } catch {
      return undefined;
    }
  }

  private read(pid: number, file: string): string | undefined {
    try {
      return readFileSync(join(this.dir, String(pid), file), "latin1");
    } catch {
      return undefined;
    }
  }
}

/** Parses /proc/PID/stat, whose second field (comm) may hold spaces and parentheses. */
export function parseStat(text: string): ProcStat | undefined {
  const open = text.indexOf("(");
  const close = text.lastIndexOf(")");
  if (open === -1 || close === -1) return undefined;
  const fields = text.slice(close + 2).split(" ");
  // fields[0] is field 3 (state): field N is fields[N - 3].
  const startTicks = Number(fields[19]);
  const ppid = Number(fields[1]);
  if (!Number.isFinite(startTicks) || !Number.isFinite(ppid)) return undefined;
  return { pid: Number(text.slice(0, open).trim()), comm: text.slice(open + 1, close), state: fields[0] ?? "?", ppid, startTicks };
}

export function isReadError(v: unknown): v is ProcReadError {
  return typeof v === "object" && v !== null && !Array.isArray(v) && "code" in v;
}
