/**
 * Is a process CPython, and which version? Decided from the executable's name and the
 * libraries it maps, never from its arguments (a `grep python` is not Python).
 */
import { basename } from "node:path";

export type PythonInfo = { kind: "cpython"; version: string } | { kind: "unsupported"; version: string; reason: string } | { kind: "none" };

const EXE = /^python(\d+(?:\.\d+)?)?([a-z]*)$/;
const LIBPYTHON = /^libpython(\d+\.\d+)([a-z]*)\.so/;
const PYPY = /^(pypy|libpypy)/;
const STDLIB_DIR = /\/lib(?:64)?\/python(\d+\.\d+)(t?)\//;

/** CPython interpreters' executable names: python, python3, python3.11, python3.13t… */
export function isPythonExeName(path: string): boolean {
  const name = basename(path);
  return EXE.test(name) || PYPY.test(name);
}

/**
 * Classifies a process from its executable path and mapped files (maps may be omitted when
 * the exe alone decides). `exe` undefined means it could not be read: then argv[0] is the best
 * evidence there is, and py-spy will say whether the process may be traced.
 */
export function classifyPython(exe: string | undefined, mapped: readonly string[] | undefined, argv0?: string): PythonInfo {
  const exeName = exe === undefined ? basename(argv0 ?? "") : basename(exe);
  if (PYPY.test(exeName)) return { kind: "unsupported", version: "pypy", reason: "PyPy is not supported by py-spy" };
  let version = "";
  let flags = "";
  let python = false;
  const em = EXE.exec(exeName);
  if (em !== null) {
    python = true;
    version = em[1] ?? "";
    flags = em[2] ?? "";
  }
  for (const file of mapped ?? []) {
    const name = basename(file);
    if (PYPY.test(name)) return { kind: "unsupported", version: "pypy", reason: "PyPy is not supported by py-spy" };
    const lm = LIBPYTHON.exec(name);
    if (lm !== null) {
      python = true;
      version = lm[1] ?? version;
      flags = lm[2] ?? flags;
    }
  }
  if (!python) return { kind: "none" };
  if (!version.includes(".")) {
    // `python3`: the standard library's lib-dynload modules name the minor version.
    for (const file of mapped ?? []) {
      const sm = STDLIB_DIR.exec(file);
      if (sm !== null) {
        version = sm[1] ?? version;
        flags = flags === "" ? (sm[2] ?? "") : flags;
        break;
      }
    }
  }
  if (version === "") version = "unknown";
  if (flags.includes("t")) {
    return { kind: "unsupported", version: `${version}${flags}`, reason: `free-threaded CPython ${version}t is not supported by py-spy 0.4` };
  }
  return { kind: "cpython", version };
}
