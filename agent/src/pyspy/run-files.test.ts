import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { RunFiles } from "./run-files.js";

const parents: string[] = [];
afterEach(() => {
  for (const p of parents.splice(0)) rmSync(p, { recursive: true, force: true });
});

function files(): RunFiles {
  const parent = mkdtempSync(join(tmpdir(), "run-files-test-"));
  parents.push(parent);
  return new RunFiles(parent);
}

describe("py-spy output files", () => {
  it("gives every run its own file in the agent's directory, windows and captures alike", () => {
    const f = files();
    const names = [f.window(7), f.window(7), f.capture(7), f.window(8)];
    expect(new Set(names).size).toBe(4);
    expect(names.every((n) => dirname(n) === f.dir)).toBe(true);
    expect(names.map((n) => n.slice(f.dir.length + 1))).toEqual(["7-1.json", "7-2.json", "capture-7-3.json", "8-4.json"]);
  });

  it("removes the directory with the files left in it", () => {
    const f = files();
    writeFileSync(f.window(7), "{}");
    f.remove();
    expect(existsSync(f.dir)).toBe(false);
    f.remove();
  });
});
