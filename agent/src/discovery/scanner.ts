/**
 * One pass over /proc: every process that is CPython and passes the rules, keyed by
 * (pid, start time) so that a reused pid is a new process. Executable and maps are read once
 * per process and executable (a pyenv shim `exec`s into Python keeping pid and start time, so
 * a changed executable is looked at again).
 */
import { basename } from "node:path";
import { isReadError, ProcFs } from "./proc.js";
import { classifyPython, isPythonExeName, type PythonInfo } from "./python.js";
import { decide, type DiscoveryRules, type Verdict } from "./rules.js";
import { UserNames } from "./users.js";

export interface DiscoveredProcess {
  /** `pid:startTicks`, unique over the host's uptime. */
  key: string;
  pid: number;
  ppid: number;
  startUnixMs: number;
  uid: number | undefined;
  user: string | undefined;
  cmdline: string[];
  exe: string | undefined;
  python: Exclude<PythonInfo, { kind: "none" }>;
  verdict: Extract<Verdict, "profile" | "unsupported">;
}

interface Classified {
  startTicks: number;
  exe: string | undefined;
  python: PythonInfo;
  /**
   * Decided once the process was settled: a program that embeds Python may load libpython
   * only after it starts (uwsgi's python plugin), so a young process is looked at again.
   */
  settled: boolean;
}

/** Age after which a non-Python process is not looked at again (same pid, same executable). */
const SETTLED_AGE_MS = 10_000;

export class Scanner {
  readonly #proc: ProcFs;
  readonly #users: UserNames;
  readonly #cache = new Map<number, Classified>();
  #bootTime: number | undefined;
  /** How many processes each verdict got in the last scan (for debugging). */
  lastVerdicts = new Map<Verdict, number>();

  constructor(
    private readonly rules: DiscoveryRules,
    procDir = "/proc",
    passwd = "/etc/passwd",
  ) {
    this.#proc = new ProcFs(procDir);
    this.#users = new UserNames(passwd);
  }

  get proc(): ProcFs {
    return this.#proc;
  }

  scan(): DiscoveredProcess[] {
    const found: DiscoveredProcess[] = [];
    const verdicts = new Map<Verdict, number>();
    const uptime = this.#proc.uptimeSeconds();
    this.#bootTime ??= this.#proc.bootTimeSeconds();
    const boot = this.#bootTime;
    const seen = new Set<number>();
    for (const pid of this.#proc.pids()) {
      seen.add(pid);
      const exeOrErr = this.#proc.exe(pid);
      let exe: string | undefined;
      if (isReadError(exeOrErr)) {
        // ENOENT: kernel thread or gone. EACCES: another user's process and we are not root.
        if (exeOrErr.code !== "EACCES") continue;
      } else {
        exe = exeOrErr;
      }
      const cached = this.#cache.get(pid);
      if (exe !== undefined && cached?.exe === exe && cached.python.kind === "none" && cached.settled) {
        // Same executable and not Python: even a reused pid running it is still not Python.
        verdicts.set("not-python", (verdicts.get("not-python") ?? 0) + 1);
        continue;
      }
      const stat = this.#proc.stat(pid);
      if (stat === undefined || stat.state === "Z" || stat.state === "X") continue;
      const ageMs = this.#proc.ageMs(stat, uptime);
      const python = this.classify(pid, stat.startTicks, exe, ageMs >= SETTLED_AGE_MS);
      const cmdline = python.kind === "none" ? [] : (this.#proc.cmdline(pid) ?? []);
      const uid = python.kind === "none" ? undefined : this.#proc.uid(pid);
      const user = this.#users.name(uid);
      const verdict = decide({ pid, ppid: stat.ppid, uid, user, cmdline, ageMs, python }, this.rules);
      verdicts.set(verdict, (verdicts.get(verdict) ?? 0) + 1);
      if ((verdict === "profile" || verdict === "unsupported") && python.kind !== "none") {
        found.push({
          key: `${String(pid)}:${String(stat.startTicks)}`,
          pid,
          ppid: stat.ppid,
          startUnixMs: this.#proc.startUnixMs(stat, boot),
          uid,
          user,
          cmdline,
          exe: this.#cache.get(pid)?.exe,
          python,
          verdict,
        });
      }
    }
    for (const pid of this.#cache.keys()) if (!seen.has(pid)) this.#cache.delete(pid);
    this.lastVerdicts = verdicts;
    return found;
  }

  /** Python or not, cached per (pid, start, exe). `exe` undefined: not readable. */
  private classify(pid: number, startTicks: number, exe: string | undefined, settled: boolean): PythonInfo {
    const cached = this.#cache.get(pid);
    if (cached !== undefined && cached.startTicks === startTicks && cached.exe === exe && (cached.settled || cached.python.kind !== "none")) {
      return cached.python;
    }
    let python: PythonInfo;
    if (exe === undefined) {
      // Cannot see the executable: argv[0] is the only evidence; py-spy will tell us the rest.
      const argv0 = this.#proc.cmdline(pid)?.[0];
      python = argv0 !== undefined && isPythonExeName(argv0) ? classifyPython(undefined, undefined, argv0) : { kind: "none" };
    } else {
      const exeDecides = isPythonExeName(exe) && /\d\.\d+[a-z]*$/.test(basename(exe));
      const mapped = exeDecides ? [] : this.#proc.mappedFiles(pid);
      python = classifyPython(exe, isReadError(mapped) ? [] : mapped);
    }
    this.#cache.set(pid, { startTicks, exe, python, settled });
    return python;
  }
}
