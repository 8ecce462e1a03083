/**
 * A service name from a command line, for processes that do not name themselves: the module
 * of `python -m pkg`, the application of `gunicorn app:app` / `uvicorn main:app` /
 * `celery -A proj`, else the script's name (its directory's name when the script is a
 * generic `manage.py`, `main.py`, `app.py`, `__main__.py`…).
 */
import { basename, dirname, isAbsolute, join } from "node:path";
import { isPythonExeName } from "../discovery/python.js";

/** Interpreter flags that take a value as the next argument. */
const FLAGS_WITH_VALUE = new Set(["-W", "-X", "--check-hash-based-pycs"]);
/** Scripts whose own name says nothing: use the directory they live in. */
const GENERIC_SCRIPTS = new Set(["manage", "main", "app", "__main__", "run", "server", "wsgi", "asgi", "start", "cli", "worker"]);
/** Runners whose first positional `module:app` names the application. */
const APP_RUNNERS = new Set(["gunicorn", "uvicorn", "hypercorn", "daphne", "granian", "waitress-serve"]);

/**
 * @param argv the process's arguments
 * @param cwd its working directory (to name a relative generic script by its folder)
 */
export function serviceFromCommandLine(argv: readonly string[], cwd?: string): string {
  if (argv.length === 0) return "python";
  // setproctitle: "gunicorn: worker [app.wsgi:application]", "celery worker …"
  if (argv.length === 1 && argv[0]?.includes(" ")) {
    const title = argv[0];
    const gm = /^gunicorn: (?:master|worker) \[([^\]]+)\]/.exec(title);
    if (gm !== null) return appModule(gm[1] ?? "");
    argv = title.split(/\s+/);
  }
  let i = 0;
  const first = argv[0] ?? "";
  if (isPythonExeName(first)) {
    i = 1;
    while (i < argv.length) {
      const a = argv[i] ?? "";
      if (a === "-m") {
        const mod = argv[i + 1];
        if (mod === undefined || mod === "") return "python";
        return fromProgram(mod.split(".")[0] ?? mod, mod, argv.slice(i + 2));
      }
      if (a.startsWith("-m") && a.length > 2) return fromProgram(a.slice(2).split(".")[0] ?? "", a.slice(2), argv.slice(i + 1));
      if (a === "-c") return "python";
      if (a === "-" || !a.startsWith("-")) break;
      if (FLAGS_WITH_VALUE.has(a)) i++;
      i++;
    }
    if (i >= argv.length) return "python";
  }
  const script = argv[i] ?? "";
  const name = basename(script).replace(/\.pyw?$/, "");
  if (GENERIC_SCRIPTS.has(name)) {
    const full = isAbsolute(script) ? script : cwd !== undefined ? join(cwd, script) : script;
    const dir = basename(dirname(full));
    if (dir !== "" && dir !== "." && dir !== "/" && dir !== "bin") return dir;
  }
  return fromProgram(name, name, argv.slice(i + 1));
}

/** `gunicorn app:app`, `celery -A proj worker`, otherwise the program's (or module's) own name. */
function fromProgram(program: string, full: string, args: readonly string[]): string {
  if (APP_RUNNERS.has(program)) {
    const spec = firstPositional(
      args,
      new Set(["-c", "--config", "-b", "--bind", "-w", "--workers", "-k", "--worker-class", "--host", "--port", "--log-level", "--chdir", "-n", "--name"]),
    );
    if (spec !== undefined && !spec.startsWith("-")) return appModule(spec);
    return program;
  }
  if (program === "celery") {
    for (let k = 0; k < args.length; k++) {
      const a = args[k] ?? "";
      if (a === "-A" || a === "--app") return appModule(args[k + 1] ?? "celery");
      if (a.startsWith("--app=")) return appModule(a.slice(6));
      if (a.startsWith("-A") && a.length > 2) return appModule(a.slice(2));
    }
    return "celery";
  }
  return full === "" ? "python" : full;
}

/** The first argument that is not an option or an option's value. */
function firstPositional(args: readonly string[], withValue: ReadonlySet<string>): string | undefined {
  for (let k = 0; k < args.length; k++) {
    const a = args[k] ?? "";
    if (a.startsWith("-")) {
      if (withValue.has(a)) k++;
      continue;
    }
    return a;
  }
  return undefined;
}

/** `myproj.wsgi:application` → `myproj`; `app:app` → `app`. */
function appModule(spec: string): string {
  const mod = spec.split(":")[0] ?? spec;
  const top = mod.split(".")[0] ?? mod;
  return top === "" ? "python" : top;
}
