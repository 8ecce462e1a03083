import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parseStat } from "./proc.js";
import { classifyPython } from "./python.js";
import { compileRules, decide, type ProcessFacts } from "./rules.js";
import { Scanner } from "./scanner.js";

const SELF = 1000;

const rules = (over: Partial<Parameters<typeof compileRules>[0]> = {}): ReturnType<typeof compileRules> =>
  compileRules({ include: [], exclude: [], includeUsers: [], excludeUsers: [], minAgeMs: 1000, selfPid: SELF, profileOwnChildren: false, ...over });

const py = { kind: "cpython", version: "3.11" } as const;
const facts = (over: Partial<ProcessFacts> = {}): ProcessFacts => ({
  pid: 42,
  ppid: 1,
  uid: 0,
  user: "root",
  cmdline: ["python3", "app.py"],
  ageMs: 60_000,
  python: py,
  ...over,
});

describe("python classification", () => {
  it("knows CPython by executable name or mapped libpython, and its version", () => {
    expect(classifyPython("/root/.pyenv/versions/3.11.7/bin/python3.11", [])).toEqual(py);
    expect(classifyPython("/usr/bin/uwsgi-core", ["/usr/lib/x86_64-linux-gnu/libpython3.9.so.1.0", "/usr/lib/libc.so.6"])).toEqual({
      kind: "cpython",
      version: "3.9",
    });
    expect(classifyPython("/usr/bin/python3", ["/usr/lib/python3.12/lib-dynload/_ssl.cpython-312-x86_64-linux-gnu.so"])).toEqual({
      kind: "cpython",
      version: "3.12",
    });
    expect(classifyPython("/usr/bin/python3", [])).toEqual({ kind: "cpython", version: "3" });
    expect(classifyPython("/usr/bin/python", [])).toEqual({ kind: "cpython", version: "unknown" });
  });

  it("does not take shells, uv or node for Python, whatever their arguments", () => {
    expect(classifyPython("/usr/bin/bash", ["/usr/lib/libc.so.6"])).toEqual({ kind: "none" });
    expect(classifyPython("/root/.local/bin/uv", [])).toEqual({ kind: "none" });
    expect(classifyPython("/usr/bin/sleep", [], "python3")).toEqual({ kind: "none" });
  });

  it("marks free-threaded builds and PyPy as unsupported, with the reason", () => {
    expect(classifyPython("/usr/bin/python3.13t", [])).toMatchObject({ kind: "unsupported", reason: expect.stringMatching(/free-threaded/) as unknown });
    expect(classifyPython("/opt/pypy/bin/pypy3.10", [])).toMatchObject({ kind: "unsupported", reason: expect.stringMatching(/PyPy/) as unknown });
    expect(classifyPython("/usr/bin/app", ["/opt/lib/libpython3.13t.so.1.0"])).toMatchObject({ kind: "unsupported" });
  });

  it("falls back to argv[0] only when the executable cannot be read", () => {
    expect(classifyPython(undefined, undefined, "/usr/bin/python3.11")).toEqual(py);
  });
});

describe("discovery rules", () => {
  it("profiles a Python process that passes every rule", () => expect(decide(facts(), rules())).toBe("profile"));
  it("skips non-Python processes, the agent, its children and young processes", () => {
    expect(decide(facts({ python: { kind: "none" }, cmdline: ["grep", "python"] }), rules())).toBe("not-python");
    expect(decide(facts({ pid: SELF }), rules())).toBe("self");
    expect(decide(facts({ ppid: SELF }), rules())).toBe("own-child");
    expect(decide(facts({ ppid: SELF }), rules({ profileOwnChildren: true }))).toBe("profile");
    expect(decide(facts({ ageMs: 200 }), rules())).toBe("too-young");
  });
  it("applies include/exclude regexes to the whole command line", () => {
    expect(decide(facts(), rules({ include: ["worker"] }))).toBe("not-included");
    expect(decide(facts({ cmdline: ["python3", "-m", "worker"] }), rules({ include: ["worker"] }))).toBe("profile");
    expect(decide(facts({ cmdline: ["python3", "-m", "pytest"] }), rules({ exclude: ["pytest", "ipython"] }))).toBe("excluded");
  });
  it("filters by user name or uid", () => {
    expect(decide(facts({ uid: 33, user: "www-data" }), rules({ includeUsers: ["www-data"] }))).toBe("profile");
    expect(decide(facts({ uid: 33, user: "www-data" }), rules({ includeUsers: ["1000"] }))).toBe("user");
    expect(decide(facts({ uid: 33, user: "www-data" }), rules({ excludeUsers: ["33"] }))).toBe("user");
  });
  it("reports unsupported interpreters instead of profiling them", () => {
    expect(decide(facts({ python: { kind: "unsupported", version: "pypy", reason: "x" } }), rules())).toBe("unsupported");
  });
  it("names a bad regex", () => expect(() => rules({ include: ["(("] })).toThrow(/option include: "\(\(" is not a regular expression/));
});

describe("/proc scanner", () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  function fakeProc(): {
    root: string;
    add: (pid: number, p: { exe: string; argv: string[]; ppid?: number; start?: number; maps?: string[]; comm?: string }) => void;
  } {
    dir = mkdtempSync(join(tmpdir(), "agent-proc-"));
    const root = dir;
    writeFileSync(join(root, "uptime"), "10000.00 100.00\n");
    writeFileSync(join(root, "stat"), "cpu 1 2 3\nbtime 1700000000\n");
    const add = (pid: number, p: { exe: string; argv: string[]; ppid?: number; start?: number; maps?: string[]; comm?: string }): void => {
      const d = join(root, String(pid));
      mkdirSync(d);
      // start 500000 ticks = 5000 s after boot: 5000 s old at uptime 10000 s
      writeFileSync(
        join(d, "stat"),
        `${String(pid)} (${p.comm ?? "x"}) S ${String(p.ppid ?? 1)} 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 ${String(p.start ?? 500_000)} 1000 10\n`,
      );
      writeFileSync(join(d, "cmdline"), p.argv.join("\0") + "\0");
      writeFileSync(join(d, "status"), "Name:\tx\nUid:\t0\t0\t0\t0\n");
      writeFileSync(join(d, "maps"), (p.maps ?? []).map((m) => `7f00-7f01 r--p 00000000 fe:00 1 ${m}`).join("\n"));
      symlinkSync(p.exe, join(d, "exe"));
    };
    return { root, add };
  }

  it("finds CPython processes keyed by pid and start time, and nothing else", () => {
    const { root, add } = fakeProc();
    add(10, { exe: "/usr/bin/python3.11", argv: ["python3", "-m", "api"] });
    add(11, { exe: "/usr/bin/bash", argv: ["bash", "/root/.pyenv/shims/python3", "x.py"] });
    add(12, { exe: "/usr/bin/sleep", argv: ["python3", "60"], comm: "python3" });
    add(13, { exe: "/usr/sbin/uwsgi", argv: ["uwsgi", "--module", "x"], maps: ["/usr/lib/libpython3.9.so.1.0"] });
    add(14, { exe: "/root/.local/bin/uv", argv: ["uv", "run", "python", "x.py"] });
    add(15, { exe: "/usr/bin/python3.11", argv: ["python3", "young.py"], start: 999_990 });
    add(16, { exe: "/usr/bin/python3.11", argv: ["python3", "child.py"], ppid: SELF });
    add(17, { exe: "/usr/bin/python3.13t", argv: ["python3.13t", "ft.py"] });
    add(18, { exe: "/usr/bin/weird (deleted) python", argv: ["x"], comm: "a) b (c" });
    const found = new Scanner(rules(), root).scan();
    expect(found.map((p) => [p.pid, p.verdict])).toEqual([
      [10, "profile"],
      [13, "profile"],
      [17, "unsupported"],
    ]);
    expect(found[0]).toMatchObject({ key: "10:500000", startUnixMs: 1_700_005_000_000, python: { version: "3.11" }, cmdline: ["python3", "-m", "api"] });
  });

  it("looks again at a young process that loads libpython after it starts (uwsgi's python plugin)", () => {
    const { root, add } = fakeProc();
    // 2 s old at uptime 10000 s: old enough to profile (min age 1 s), too young to be settled.
    add(20, { exe: "/usr/bin/uwsgi", argv: ["uwsgi", "--plugin", "python3"], start: 999_800 });
    const scanner = new Scanner(rules(), root);
    expect(scanner.scan()).toEqual([]);
    writeFileSync(
      join(root, "20", "maps"),
      "7f00-7f01 r--p 00000000 fe:00 1 /usr/lib/uwsgi/plugins/python3_plugin.so\n7f00-7f01 r--p 00000000 fe:00 1 /usr/lib/x86_64-linux-gnu/libpython3.11.so.1.0\n",
    );
    expect(scanner.scan().map((p) => [p.pid, p.python])).toEqual([[20, { kind: "cpython", version: "3.11" }]]);
  });

  it("parses stat lines whose command name has spaces and parentheses", () => {
    expect(parseStat("77 (a) b (c) R 5 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 123 1000 10")).toMatchObject({
      pid: 77,
      comm: "a) b (c",
      state: "R",
      ppid: 5,
      startTicks: 123,
    });
  });
});
