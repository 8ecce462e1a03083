/**
 * The pprof export read by Google's own pprof (`go tool pprof`, from Debian's golang-go, which
 * .ci/run installs): `pprof -top` lists the same functions with the same self and total
 * samples as the query API's top functions.
 */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "@fleetprof/common";
import { ExportFormat } from "@fleetprof/proto";
import { tempDir } from "@fleetprof/test";
import { createQueryClient, startQueryApi, type QueryApi, type QueryClient } from "../src/index.js";
import { ingestWorkload, type Ingested } from "./workload.js";

let ingested: Ingested;
let api: QueryApi;
let client: QueryClient;

beforeAll(async () => {
  ingested = await ingestWorkload();
  api = await startQueryApi({ host: "127.0.0.1", port: 0 }, { store: ingested.store, logger: createLogger({ level: "silent" }) });
  client = createQueryClient(api.address);
}, 120_000);

afterAll(async () => {
  client.close();
  await api.stop();
  await ingested.close();
});

/** Parses `pprof -top` rows: flat flat% sum% cum cum% name. */
function parseTop(out: string): { total: number; rows: Map<string, { flat: number; cum: number }> } {
  const total = Number(/of (\d+) total/.exec(out)?.[1] ?? Number.NaN);
  const rows = new Map<string, { flat: number; cum: number }>();
  for (const line of out.split("\n")) {
    const m = /^\s*(\d+)\s+[\d.]+%\s+[\d.]+%\s+(\d+)\s+[\d.]+%\s+(.+?)\s*$/.exec(line);
    if (m !== null) rows.set(m[3] as string, { flat: Number(m[1]), cum: Number(m[2]) });
  }
  return { total, rows };
}

describe("pprof export read by Google's pprof", () => {
  it("pprof -top lists the same functions and totals as the API", async () => {
    let goVersion: string;
    try {
      goVersion = execFileSync("go", ["version"], { encoding: "utf8" }).trim();
    } catch {
      throw new Error("`go` not found: apt-get install golang-go (provides `go tool pprof`); .ci/run installs it");
    }
    const selector = '{version="1.0"}';
    const range = { startUnixMs: BigInt(ingested.startMs), endUnixMs: BigInt(ingested.endMs) };
    const res = await client.export({ selector, range, format: ExportFormat.PPROF });
    const file = join(tempDir(), "profile.pb.gz");
    writeFileSync(file, res.data);
    const out = execFileSync("go", ["tool", "pprof", "-top", "-nodecount=10000", file], {
      encoding: "utf8",
      env: { ...process.env, HOME: tempDir(), PPROF_TMPDIR: tempDir() },
    });
    console.log(`${goVersion}: go tool pprof -top\n${out}`);
    const top = parseTop(out);
    expect(top.total).toBe(ingested.totals.v1);
    const apiTop = await client.topFunctions({ selector, range, limit: 100 });
    expect([...top.rows.keys()].sort()).toEqual(apiTop.functions.map((f) => f.function).sort());
    for (const f of apiTop.functions) {
      expect(top.rows.get(f.function), f.function).toEqual({ flat: Number(f.self), cum: Number(f.total) });
    }
  });
});
