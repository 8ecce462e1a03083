/**
 * `py-spy dump --json` on one process: every thread's stack right now, with its idle and GIL
 * state. py-spy prints frames leaf first; they are returned root first like every other stack.
 */
import { execFile } from "node:child_process";
import { errorMessage } from "@fleetprof/common";
import { classifyFailure, firstErrorLine } from "../pyspy/failure.js";

export interface DumpedFrame {
  function: string;
  file: string;
  line: number;
}

export interface DumpedThread {
  /** OS thread id (Linux tid), 0 when py-spy did not know it. */
  threadId: bigint;
  name: string;
  active: boolean;
  ownsGil: boolean;
  /** Root first, leaf last. */
  frames: DumpedFrame[];
}

export type DumpErrorKind = "gone" | "permission" | "unsupported" | "not-profiled" | "timeout" | "other";

export type DumpOutcome = { threads: DumpedThread[] } | { error: string; kind: DumpErrorKind };

export interface DumpOptions {
  pySpy: string;
  pid: number;
  /** Native frames too: py-spy must then pause the process (no --nonblocking). */
  native: boolean;
  timeoutMs: number;
}

export function dumpArgs(o: Pick<DumpOptions, "pid" | "native">): string[] {
  const args = ["dump", "--json", "--pid", String(o.pid)];
  // Reading a process without pausing it is what a production dump wants; native frames cannot be read that way.
  args.push(o.native ? "--native" : "--nonblocking");
  return args;
}

interface JsonThread {
  thread_id?: unknown;
  os_thread_id?: unknown;
  thread_name?: unknown;
  active?: unknown;
  owns_gil?: unknown;
  frames?: unknown;
}

interface JsonFrame {
  name?: unknown;
  filename?: unknown;
  line?: unknown;
}

/** Parses py-spy's JSON (an array of threads). Throws on anything else. */
export function parseDumpJson(text: string): DumpedThread[] {
  const data = JSON.parse(text) as unknown;
  if (!Array.isArray(data)) throw new Error("py-spy dump --json did not print an array");
  return (data as JsonThread[]).map((t) => {
    const frames = Array.isArray(t.frames) ? (t.frames as JsonFrame[]) : [];
    const tid = typeof t.os_thread_id === "number" ? t.os_thread_id : 0;
    return {
      threadId: BigInt(Number.isSafeInteger(tid) && tid >= 0 ? tid : 0),
      name: typeof t.thread_name === "string" ? t.thread_name : "",
      active: t.active === true,
      ownsGil: t.owns_gil === true,
      frames: frames
        .map((f) => ({
          function: typeof f.name === "string" ? f.name : "?",
          file: typeof f.filename === "string" ? f.filename : "",
          line: typeof f.line === "number" && f.line >= 0 ? f.line : 0,
        }))
        .reverse(),
    };
  });
}

/** What a user reads when one process could not be dumped. */
export function dumpErrorMessage(kind: DumpErrorKind, pid: number, detail: string): string {
  const who = `pid ${String(pid)}`;
  switch (kind) {
    case "gone":
      return `${who} does not exist (any more): it exited before py-spy could read it`;
    case "permission":
      return `py-spy may not read ${who}: run the agent as root or give it CAP_SYS_PTRACE (${detail})`;
    case "unsupported":
      return `py-spy cannot read the interpreter of ${who}: ${detail} (PyPy and free-threaded CPython are not supported)`;
    case "not-profiled":
      return `${who} is not a Python process this agent profiles (see its --include/--exclude rules and the status subject)`;
    case "timeout":
      return `py-spy did not read ${who} within ${detail} (dump-deadline); the process may be stopped or the host overloaded`;
    case "other":
      return `py-spy dump failed on ${who}: ${detail}`;
  }
}

/** Runs one dump; never rejects. */
export function dumpProcess(o: DumpOptions): Promise<DumpOutcome> {
  return new Promise((resolve) => {
    if (o.timeoutMs <= 0) {
      resolve({ kind: "timeout", error: dumpErrorMessage("timeout", o.pid, "the request's deadline") });
      return;
    }
    execFile(o.pySpy, dumpArgs(o), { timeout: o.timeoutMs, killSignal: "SIGKILL", maxBuffer: 32 * 1024 * 1024, encoding: "utf8" }, (err, stdout, stderr) => {
      if (err === null) {
        try {
          resolve({ threads: parseDumpJson(stdout) });
        } catch (parseErr) {
          resolve({ kind: "other", error: dumpErrorMessage("other", o.pid, errorMessage(parseErr)) });
        }
        return;
      }
      const e = err as NodeJS.ErrnoException & { killed?: boolean; signal?: string | null };
      if (e.killed === true || e.signal === "SIGKILL") {
        resolve({ kind: "timeout", error: dumpErrorMessage("timeout", o.pid, `${String(o.timeoutMs)}ms`) });
        return;
      }
      if (e.code === "ENOENT" || e.code === "EACCES") {
        resolve({ kind: "other", error: dumpErrorMessage("other", o.pid, `cannot run py-spy (${o.pySpy}): ${e.message}`) });
        return;
      }
      const out = `${stderr}\n${stdout}`;
      const failure = classifyFailure(out);
      const kind = failure === "not-installed" || failure === "hung" || failure === "memory" ? "other" : failure;
      resolve({ kind, error: dumpErrorMessage(kind, o.pid, firstErrorLine(out)) });
    });
  });
}

/** Runs `fn` on every item, at most `limit` at a time, results in input order. */
export async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
