/**
 * The client commands against a real query API (TLS and a token) over a real embedded
 * ClickHouse: every output format, and server errors as one line.
 */
import { execFile, execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { promisify } from "node:util";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { createLogger } from "@fleetprof/common";
import { startQueryApi, type QueryApi } from "@fleetprof/query-api";
import * as storeModule from "@fleetprof/store";
import { openStore, type BatchInput, type ProfileInput, type Store } from "@fleetprof/store";
import { selfSignedCertificate, tempDir } from "@fleetprof/test";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectQueryApi } from "../src/client/connect.js";
import type { Io } from "../src/io.js";
import { main } from "../src/main.js";

const execFileAsync = promisify(execFile);
const TOKEN = "s3cret-token";
let store: Store;
let api: QueryApi;
let address: string;
let ca: string;
const dir = tempDir("fleetprof-cli-client-");

function profile(version: string, stacks: Record<string, number>, timeMs: number): ProfileInput {
  const strings: string[] = [];
  const str = (s: string): number => (strings.includes(s) ? strings.indexOf(s) : strings.push(s) - 1);
  const frames: { function: number; file: number; line: number }[] = [];
  const frame = (name: string): number => {
    const f = str(name);
    const file = str("shop.py");
    const i = frames.findIndex((x) => x.function === f);
    return i >= 0 ? i : frames.push({ function: f, file, line: 10 + f }) - 1;
  };
  const thread = str("MainThread");
  return {
    pid: version === "1.0" ? 101 : 102,
    service: "shop",
    version,
    labels: { env: "test" },
    mode: "cpu",
    windowStartUnixMs: timeMs,
    captureId: "",
    strings,
    frames,
    stacks: stackColumns(Object.entries(stacks).map(([path, count]) => ({ frameIds: path.split(";").map(frame), thread, count }))),
  };
}

/** The store takes stacks as columns (stacksFromList) in newer versions, as a list before. */
function stackColumns(list: { frameIds: number[]; thread: number; count: number }[]): ProfileInput["stacks"] {
  const fromList = (storeModule as { stacksFromList?: (l: typeof list) => unknown }).stacksFromList;
  return (fromList === undefined ? list : fromList(list)) as ProfileInput["stacks"];
}

/** Runs a command in this process against the real API, with TLS and the token unless told otherwise. */
async function fleetprof(argv: string[], auth = true): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const io: Io = {
    stdout: { write: (s: string | Uint8Array) => (out += typeof s === "string" ? s : Buffer.from(s).toString("latin1")) },
    stderr: { write: (s: string | Uint8Array) => (err += String(s)) },
    env: auth ? { FLEETPROF_API: address, FLEETPROF_TOKEN: TOKEN, FLEETPROF_TLS_CA: ca } : { FLEETPROF_API: address },
    cwd: dir,
    now: () => Date.now(),
  };
  const code = await main(argv, { io, connect: connectQueryApi });
  return { code, out, err };
}

beforeAll(async () => {
  const tls = selfSignedCertificate();
  ca = tls.cert;

  store = await openStore(`chdb://${join(dir, "data")}`);
  const t = Date.now() - 5 * 60_000;
  const batches: BatchInput[] = [
    { batchId: "b1", host: "h1", profiles: [profile("1.0", { "main;handle;compute_prices": 300, "main;handle;parse_order": 400, "main;idle": 300 }, t)] },
    { batchId: "b2", host: "h1", profiles: [profile("2.0", { "main;handle;compute_prices": 600, "main;handle;parse_order": 300, "main;idle": 100 }, t)] },
  ];
  await store.writeBatches(batches);
  api = await startQueryApi(
    { host: "127.0.0.1", port: 0, token: TOKEN, tlsCert: tls.cert, tlsKey: tls.key },
    { store, logger: createLogger({ level: "warn" }) },
  );
  address = `127.0.0.1:${String(api.port)}`;
});

afterAll(async () => {
  await api.stop();
  await store.close();
});

describe("client commands against a real query API", () => {
  it("services, labels, top, series", async () => {
    const services = await fleetprof(["services"]);
    expect(services.err).toBe("");
    expect(services.out).toMatch(/shop\s+2,000\s+1\s+1\.0, 2\.0/);
    expect((await fleetprof(["labels", "version", "--selector", "shop"])).out).toBe("1.0\n2.0\n");
    expect((await fleetprof(["labels"])).out.split("\n")).toEqual(expect.arrayContaining(["service", "version", "host", "env"]));
    const top = await fleetprof(["top", "shop@2.0", "--limit", "2"]);
    expect(top.out).toMatch(/600\s+60\.0%\s+600\s+60\.0%\s+compute_prices\s+shop\.py/);
    const diffTop = await fleetprof(["top", "shop@2.0", "--diff", "shop@1.0"]);
    expect(diffTop.out).toMatch(/Regressions[^\n]*\n[^\n]*\n\s*30\.0%\s+60\.0%\s+\+30\.00 pp\s+no interval\s+compute_prices/);
    expect(diffTop.out).toMatch(/too few replicates to call anything significant: 1 \(baseline\) and 1 \(comparison\)/);
    const series = await fleetprof(["series", "shop", "--by", "version", "--step", "1m", "--since", "10m"]);
    expect(series.out).toMatch(/1\.0\s+1,000\s/);
    expect(series.out).toMatch(/2\.0\s+1,000\s/);
  });

  it("flame and diff to the terminal and to every file format", async () => {
    const tree = await fleetprof(["flame", "shop@1.0"]);
    expect(tree.out).toMatch(/40\.0%\s+40\.0%\s+400\s+.*parse_order {2}shop\.py:\d+/);
    const diff = await fleetprof(["diff", "shop@1.0", "shop@2.0"]);
    expect(diff.out).toMatch(/30\.0%\s+60\.0%\s+\+30\.00 pp\s+.*compute_prices/);

    expect((await fleetprof(["flame", "shop", "-o", "f.html"])).code).toBe(0);
    expect(readFileSync(join(dir, "f.html"), "utf8")).toContain('"compute_prices"');
    expect((await fleetprof(["diff", "shop@1.0", "shop@2.0", "-o", "d.svg"])).code).toBe(0);
    expect(readFileSync(join(dir, "d.svg"), "utf8")).toMatch(/<title>compute_prices[^<]*change: \+30\.00 pp/);
    const pprof = await fleetprof(["flame", "shop", "-o", "p.pb.gz"]);
    expect(pprof.out).toMatch(/wrote .*p\.pb\.gz \(pprof/);
    expect(gunzipSync(readFileSync(join(dir, "p.pb.gz"))).includes(Buffer.from("compute_prices"))).toBe(true);
    await fleetprof(["flame", "shop@2.0", "-o", "c.txt"]);
    expect(readFileSync(join(dir, "c.txt"), "utf8")).toMatch(/^main[^;]*;handle[^;]*;compute_prices[^;]* 600$/m);
    await fleetprof(["flame", "shop", "-o", "s.json"]);
    expect(JSON.parse(readFileSync(join(dir, "s.json"), "utf8"))).toMatchObject({ $schema: expect.stringContaining("speedscope") as unknown });
    const truncated = await fleetprof(["flame", "shop", "--max-nodes", "3", "--min-share", "0"]);
    expect(truncated.out).toMatch(/smaller frames \(folded\)\s+\(truncated\)/);
    expect(truncated.out).toMatch(/truncated by the server: \d+ frames \([\d.]+% of samples\) folded \(--max-nodes to keep more\)/);
    const json = await fleetprof(["flame", "shop", "--json"]);
    expect(JSON.parse(json.out)).toMatchObject({ total: "2000" });
  });

  it("shows server errors as one line with a non-zero exit", async () => {
    const noToken = await fleetprof(["services", "--tls-ca", ca], false);
    expect(noToken.code).toBe(1);
    expect(noToken.err).toMatch(/^fleetprof services: the query API at 127\.0\.0\.1:\d+ wants a valid token: .* \(pass --token or set FLEETPROF_TOKEN\)\n$/);
    const badSelector = await fleetprof(["flame", '{service="shop"']);
    expect(badSelector.code).toBe(2);
    expect(badSelector.err).toMatch(/^fleetprof flame: the query API rejected the request: .+\n$/);
    const down = await fleetprof(["services", "--api", "127.0.0.1:1", "--timeout", "3s"]);
    expect(down.code).toBe(1);
    expect(down.err).toMatch(
      /^fleetprof services: cannot reach the query API at 127\.0\.0\.1:1 \(connection refused\): is `fleetprof up` running\? Point elsewhere with --api host:port\n$/,
    );
  });
});

describe("the installed command", () => {
  const bin = join(import.meta.dirname, "..", "bin", "fleetprof.js");
  const reporter = join(import.meta.dirname, "report-shared-objects.mjs");
  /** Runs node with the shared-object reporter; returns stdout and the objects it had loaded. */
  // Asynchronous: the query API it calls runs in this process.
  const loaded = async (args: string[], env: Record<string, string> = {}): Promise<{ out: string; objects: string[] }> => {
    const r = await execFileAsync(process.execPath, ["--import", reporter, ...args], { encoding: "utf8", env: { ...process.env, ...env } });
    const line = /^shared-objects (.*)$/m.exec(r.stderr)?.[1];
    if (line === undefined) throw new Error(`no report from node ${args.join(" ")}: ${r.stderr}`);
    return { out: r.stdout, objects: JSON.parse(line) as string[] };
  };

  it("runs the built CLI (after npm run build)", () => {
    const out = execFileSync(process.execPath, [bin, "--version"], { encoding: "utf8" });
    expect(out).toBe("fleetprof 0.1.0\n");
  });

  it("answers a client command without loading the embedded ClickHouse", async () => {
    const services = await loaded([bin, "services"], { FLEETPROF_API: address, FLEETPROF_TOKEN: TOKEN, FLEETPROF_TLS_CA: ca });
    expect(services.out).toMatch(/shop\s+2,000\s+1\s+1\.0, 2\.0/);
    expect(services.objects.filter((o) => /chdb/i.test(o))).toEqual([]);
    // the same check sees chDB when the store is loaded
    const server = await loaded(["--input-type=module", "-e", "await import('@fleetprof/store')"]);
    expect(server.objects.some((o) => /chdb/i.test(o))).toBe(true);
  });
});
