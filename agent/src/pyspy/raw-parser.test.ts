import { describe, expect, it } from "vitest";
import { parseRaw, parseRawLine } from "./raw-parser.js";

// Lines as py-spy 0.4.2 printed them (record --format raw --threads --full-filenames).
const CPU_SPLIT = `thread (8041): MainThread;<module> (/w/cpu_split.py:72);main (/w/cpu_split.py:65);cycle (/w/cpu_split.py:54);alpha (/w/cpu_split.py:41);spin (/w/cpu_split.py:35) 158
thread (8041): MainThread;<module> (/w/cpu_split.py:72);main (/w/cpu_split.py:65);cycle (/w/cpu_split.py:56);beta (/w/cpu_split.py:45);spin (/w/cpu_split.py:35) 67
`;

const names = (line: string): string[] => parseRawLine(line)?.frames.map((f) => f.name) ?? [];

describe("py-spy raw parser", () => {
  it("reads thread, frames root first, files, lines and counts", () => {
    const parsed = parseRaw(CPU_SPLIT);
    expect(parsed.badLines).toBe(0);
    expect(parsed.total).toBe(225);
    const [first] = parsed.stacks;
    expect(first?.thread).toBe("MainThread");
    expect(first?.threadId).toBe(8041n);
    expect(first?.frames.map((f) => f.name)).toEqual(["<module>", "main", "cycle", "alpha", "spin"]);
    expect(first?.frames[0]).toEqual({ name: "<module>", file: "/w/cpu_split.py", line: 72 });
    expect(first?.count).toBe(158);
  });

  it("keeps semicolons, spaces and parentheses inside function names", () => {
    expect(names("thread (10384): MainThread;<module> (/tmp/w.py:12);we;ird (name) x (/tmp/w.py:5);spin (/tmp/w.py:4) 68")).toEqual([
      "<module>",
      "we;ird (name) x",
      "spin",
    ]);
    expect(names("thread (1): MainThread;<module> (/a.py:1);<lambda> (/a.py:9);<listcomp> (/a.py:3) 2")).toEqual(["<module>", "<lambda>", "<listcomp>"]);
    expect(names("thread (1): T;f) x (/a.py:1);g(1) (/a.py:2) 2")).toEqual(["f) x", "g(1)"]);
  });

  it("keeps semicolons and parentheses inside thread names", () => {
    const s = parseRawLine("thread (9461): wor;ker (1): x;_bootstrap (/usr/lib/python3.11/threading.py:1002);run (/tmp/w.py:14) 83");
    expect(s?.thread).toBe("wor;ker (1): x");
    expect(s?.threadId).toBe(9461n);
    expect(s?.frames.map((f) => f.name)).toEqual(["_bootstrap", "run"]);
  });

  it("reads frozen modules, frames without a line, hex thread ids and unnamed threads", () => {
    const s = parseRawLine("thread (0x7F12AB);_find_and_load (<frozen importlib._bootstrap>:1176);wait (/usr/lib/python3.11/threading.py) 3");
    expect(s?.thread).toBe("thread 0x7F12AB");
    expect(s?.threadId).toBe(0x7f12abn);
    expect(s?.frames).toEqual([
      { name: "_find_and_load", file: "<frozen importlib._bootstrap>", line: 1176 },
      { name: "wait", file: "/usr/lib/python3.11/threading.py", line: 0 },
    ]);
  });

  it("takes the file from the path, also when the file name has spaces or parentheses", () => {
    const s = parseRawLine("thread (1): MainThread;run (/srv/my app (copy)/main.py:3) 1");
    expect(s?.frames).toEqual([{ name: "run", file: "/srv/my app (copy)/main.py", line: 3 }]);
    const rel = parseRawLine("thread (1): MainThread;f (x) (pkg/mod.py:7) 1");
    expect(rel?.frames).toEqual([{ name: "f (x)", file: "pkg/mod.py", line: 7 }]);
  });

  it("reads a thread with no Python frames (idle mode) and output without --threads", () => {
    const idle = parseRawLine("thread (77): Dummy;1 4");
    expect(idle?.thread).toBe("Dummy;1");
    expect(idle?.frames).toEqual([]);
    const plain = parseRawLine("<module> (/a.py:1);f (/a.py:2) 5");
    expect(plain?.thread).toBe("");
    expect(plain?.frames.map((f) => f.name)).toEqual(["<module>", "f"]);
  });

  it("keeps a native frame printed by name only", () => {
    expect(parseRawLine("thread (1): M;<module> (/a.py:1);PyEval_EvalFrame 2")?.frames.at(-1)).toEqual({ name: "PyEval_EvalFrame", file: "", line: 0 });
  });

  it("counts lines it cannot read instead of guessing", () => {
    const parsed = parseRaw("garbage\nthread (1): M;f (/a.py:1) x\n\nthread (1): M;f (/a.py:1) 3\r\n");
    expect(parsed.badLines).toBe(2);
    expect(parsed.total).toBe(3);
  });
});
