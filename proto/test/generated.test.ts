/** The committed generated code is exactly what `buf generate` produces from the .proto files. */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const protoDir = join(dirname(fileURLToPath(import.meta.url)), "..");

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

describe("generated code", () => {
  it("matches `buf generate` byte for byte", () => {
    const out = mkdtempSync(join(tmpdir(), "fleetprof-buf-"));
    try {
      execFileSync("npx", ["buf", "generate", "--output", out], { cwd: protoDir, stdio: "pipe" });
      const fresh = files(join(out, "src", "gen"))
        .map((f) => relative(join(out, "src", "gen"), f))
        .sort();
      const committed = files(join(protoDir, "src", "gen"))
        .map((f) => relative(join(protoDir, "src", "gen"), f))
        .sort();
      expect(fresh).toEqual(committed);
      for (const f of fresh) {
        expect(readFileSync(join(out, "src", "gen", f), "utf8"), `src/gen/${f} is stale: run npm run generate`).toBe(
          readFileSync(join(protoDir, "src", "gen", f), "utf8"),
        );
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
