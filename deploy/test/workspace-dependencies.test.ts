/**
 * Every package a workspace imports is declared in its package.json (so `npm ci --omit=dev
 * --workspace=…`, which the images run, installs what the code needs), and the workspaces'
 * dependencies on each other form no cycle (turbo refuses to build one).
 */
import { describe, expect, it } from "vitest";
import { packageOf, undeclaredImports, workspaceCycle } from "./support/workspace-imports.js";
import { REPO_DIR } from "./support/manifests.js";

describe("workspace dependencies", () => {
  it("names the package of an import specifier, and nothing for relative paths and Node built-ins", () => {
    expect(["@grpc/grpc-js", "@fleetprof/query-api/client", "pino", "yaml/util", "./x.js", "node:fs", "fs", "fs/promises"].map(packageOf)).toEqual([
      "@grpc/grpc-js",
      "@fleetprof/query-api",
      "pino",
      "yaml",
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });

  it("declares every package a workspace's code imports", () => {
    expect(undeclaredImports(REPO_DIR)).toEqual([]);
  });

  it("has no cycle between workspaces", () => {
    expect(workspaceCycle(REPO_DIR)).toBeUndefined();
  });
});
