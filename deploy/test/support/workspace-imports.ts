/**
 * Which packages each workspace's files import, set against what its package.json declares,
 * and the dependency graph between workspaces (turbo refuses a cycle in it).
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { join } from "node:path";
import ts from "typescript";

interface Manifest {
  name: string;
  workspaces?: string[];
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

/** An import its package does not declare where it has to. */
export interface UndeclaredImport {
  file: string;
  module: string;
  /** What the file's package would need: a dependency (shipped code) or a devDependency. */
  needs: "dependencies" | "devDependencies";
}

const SOURCE = /\.(ts|mts|cts|mjs|js|cjs)$/;
/** Folders of a workspace whose files only run in development: tests, benchmarks, build scripts. */
const DEV_FILE = /^(test|bench|scripts)\/|\.(test|bench)\.ts$/;
/** Workspaces that only run in development: the test harness and the cross-package tests. */
const DEV_WORKSPACES = new Set(["test"]);
const BUILTINS = new Set(builtinModules);

const readManifest = (path: string): Manifest => JSON.parse(readFileSync(path, "utf8")) as Manifest;

/** The package a bare import specifier names (`@scope/name/sub` → `@scope/name`), or undefined for relative paths and Node built-ins. */
export function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith(".") || specifier.startsWith("/") || specifier.startsWith("node:")) return undefined;
  const parts = specifier.split("/");
  const name = specifier.startsWith("@") ? parts.slice(0, 2).join("/") : (parts[0] ?? specifier);
  return BUILTINS.has(name) ? undefined : name;
}

/** The workspaces of the repository at `repoDir`: folder → manifest, plus the root manifest. */
export function readWorkspaces(repoDir: string): { root: Manifest; workspaces: Map<string, Manifest> } {
  const root = readManifest(join(repoDir, "package.json"));
  return { root, workspaces: new Map((root.workspaces ?? []).map((w) => [w, readManifest(join(repoDir, w, "package.json"))])) };
}

/**
 * Every import (static, dynamic, `export … from`, type-only, `require`) of a package the
 * importing workspace does not declare. Shipped files need it in `dependencies`; tests,
 * benchmarks and build scripts may also use `devDependencies` and the root's devDependencies
 * (the tools every workspace tests with, and the shared harness `@fleetprof/test`, which
 * imports store and common and so cannot be their devDependency without a cycle).
 */
export function undeclaredImports(repoDir: string): UndeclaredImport[] {
  const { root, workspaces } = readWorkspaces(repoDir);
  const files = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard"], { cwd: repoDir, encoding: "utf8" })
    .split("\n")
    .filter((f) => SOURCE.test(f));
  const found: UndeclaredImport[] = [];
  for (const file of files) {
    const ws = [...workspaces.keys()].find((w) => file.startsWith(`${w}/`));
    const manifest = ws === undefined ? root : (workspaces.get(ws) as Manifest);
    const dev = ws === undefined || DEV_WORKSPACES.has(ws) || DEV_FILE.test(file.slice(ws.length + 1));
    const shipped = { ...manifest.dependencies, ...manifest.peerDependencies, ...manifest.optionalDependencies };
    const available = dev ? { ...shipped, ...manifest.devDependencies, ...root.devDependencies } : shipped;
    const { importedFiles } = ts.preProcessFile(readFileSync(join(repoDir, file), "utf8"), true, true);
    for (const { fileName } of importedFiles) {
      const module = packageOf(fileName);
      if (module === undefined || module === manifest.name || module in available) continue;
      if (found.some((u) => u.file === file && u.module === module)) continue;
      found.push({ file, module, needs: dev ? "devDependencies" : "dependencies" });
    }
  }
  return found;
}

/** A cycle among the workspaces' declared dependencies on each other (names in order, first repeated last), or undefined. */
export function workspaceCycle(repoDir: string): string[] | undefined {
  const { workspaces } = readWorkspaces(repoDir);
  const names = new Set([...workspaces.values()].map((m) => m.name));
  const edges = new Map<string, string[]>();
  for (const m of workspaces.values()) {
    const all = { ...m.dependencies, ...m.devDependencies, ...m.peerDependencies, ...m.optionalDependencies };
    edges.set(
      m.name,
      Object.keys(all).filter((d) => names.has(d)),
    );
  }
  const done = new Set<string>();
  const visit = (name: string, path: string[]): string[] | undefined => {
    const at = path.indexOf(name);
    if (at !== -1) return [...path.slice(at), name];
    if (done.has(name)) return undefined;
    for (const next of edges.get(name) ?? []) {
      const cycle = visit(next, [...path, name]);
      if (cycle !== undefined) return cycle;
    }
    done.add(name);
    return undefined;
  };
  for (const name of names) {
    const cycle = visit(name, []);
    if (cycle !== undefined) return cycle;
  }
  return undefined;
}
