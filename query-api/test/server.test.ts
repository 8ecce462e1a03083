/** Bearer-token auth, TLS, and the `fleetprof query-api` process lifecycle. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger, ErrorCode } from "@fleetprof/common";
import { grpcHealthV1 } from "@fleetprof/proto";
import { openStore, type Store } from "@fleetprof/store";
import { freePort, selfSignedCertificate, spawnTracked, tempDir, errorOf } from "@fleetprof/test";
import { createQueryClient, createServiceClient, startQueryApi, type QueryApi } from "../src/index.js";
import { reflectionCall } from "./reflection-client.js";

const TOKEN = "s3cret-token";
let store: Store;
let api: QueryApi;
let certPath: string;

/** TLS clients name the host (a certificate for localhost; no IP as TLS server name). */
const tlsAddress = (): string => `localhost:${String(api.port)}`;

beforeAll(async () => {
  store = await openStore(`chdb://${tempDir("fleetprof-auth-")}`);
  const tls = selfSignedCertificate();
  certPath = tls.cert;

  api = await startQueryApi(
    { host: "127.0.0.1", port: 0, token: TOKEN, tlsCert: tls.cert, tlsKey: tls.key },
    { store, logger: createLogger({ level: "silent" }) },
  );
}, 60_000);

afterAll(async () => {
  await api?.stop();
  await store?.close();
});

describe("auth and TLS", () => {
  it("needs the bearer token on query calls (UNAUTHENTICATED otherwise)", async () => {
    const tls = { ca: readFileSync(certPath) };
    const anonymous = createQueryClient(tlsAddress(), { tls });
    const wrong = createQueryClient(tlsAddress(), { tls, token: "nope" });
    const right = createQueryClient(tlsAddress(), { tls, token: TOKEN });
    try {
      expect((await errorOf(anonymous.listServices({}))).code).toBe(ErrorCode.Unauthenticated);
      expect((await errorOf(wrong.flameGraph({}))).code).toBe(ErrorCode.Unauthenticated);
      expect((await right.listServices({})).services).toEqual([]);
      expect((await right.flameGraph({ selector: '{service="x"}' })).flameGraph?.total).toBe(0n);
    } finally {
      anonymous.close();
      wrong.close();
      right.close();
    }
  });

  it("keeps health open and guards reflection", async () => {
    const health = createServiceClient(grpcHealthV1.Health, tlsAddress(), { tls: { ca: readFileSync(certPath) } });
    try {
      expect((await health.check({})).status).toBe(grpcHealthV1.HealthCheckResponse_ServingStatus.SERVING);
    } finally {
      health.close();
    }
  });

  it("refuses plaintext clients on a TLS port", async () => {
    const plain = createQueryClient(tlsAddress(), { token: TOKEN, deadlineMs: 3000 });
    try {
      expect((await errorOf(plain.listServices({}))).code).toBe(ErrorCode.Unavailable);
    } finally {
      plain.close();
    }
  });
});

describe("plaintext server with a token", () => {
  it("guards reflection with the token", async () => {
    const open = await startQueryApi({ host: "127.0.0.1", port: 0, token: TOKEN }, { store, logger: createLogger({ level: "silent" }) });
    try {
      await expect(reflectionCall(open.address, "v1", [{ case: "listServices", value: "" }])).rejects.toMatchObject({ code: 16 });
      const [list] = await reflectionCall(open.address, "v1", [{ case: "listServices", value: "" }], TOKEN);
      expect(list?.messageResponse.case).toBe("listServicesResponse");
    } finally {
      await open.stop();
    }
  });
});

describe("fleetprof query-api process", () => {
  it("serves until SIGTERM, then exits 0", async () => {
    const port = await freePort();
    const dir = tempDir("fleetprof-proc-");
    // The collector role creates the schema (one process per embedded data directory, so in a process of its own).
    const migrate = `import("@fleetprof/store").then((m) => m.openStore(process.argv[1])).then((s) => s.close())`;
    const schema = spawnTracked(process.execPath, ["--conditions=@fleetprof/source", "--import", "tsx", "-e", migrate, "--", `chdb://${dir}`], {
      cwd: join(import.meta.dirname, ".."),
    });
    expect(await schema.exited).toBe(0);
    const script = `import("@fleetprof/query-api").then((m) => m.runQueryApi(process.argv.slice(1))).then((code) => process.exit(code))`;
    const child = spawnTracked(
      process.execPath,
      ["--conditions=@fleetprof/source", "--import", "tsx", "-e", script, "--", "--port", String(port), "--clickhouse-url", `chdb://${dir}`],
      {
        cwd: join(import.meta.dirname, ".."),
        env: { FLEETPROF_LOG_FORMAT: "json" },
      },
    );
    await child.waitFor(/query API listening/, 60_000);
    const health = createServiceClient(grpcHealthV1.Health, `127.0.0.1:${String(port)}`);
    try {
      expect((await health.check({})).status).toBe(grpcHealthV1.HealthCheckResponse_ServingStatus.SERVING);
    } finally {
      health.close();
    }
    child.proc.kill("SIGTERM");
    expect(await child.exited).toBe(0);
    expect(child.stdout()).toMatch(/query API stopped/);
  });

  it("exits 2 with a message on a bad option", async () => {
    const script = `import("@fleetprof/query-api").then((m) => m.runQueryApi(process.argv.slice(1))).then((code) => process.exit(code))`;
    const child = spawnTracked(process.execPath, ["--conditions=@fleetprof/source", "--import", "tsx", "-e", script, "--", "--max-nodes", "lots"], {
      cwd: join(import.meta.dirname, ".."),
    });
    expect(await child.exited).toBe(2);
    expect(child.stderr()).toMatch(/option max-nodes must be a number/);
  });
});
