/**
 * The query API for browsers and curl: the Connect protocol on --http-listen, called with a
 * plain HTTP client (fetch, JSON and binary), next to the same server's gRPC answers; the
 * web UI's files; CORS; the loopback host check.
 */
import { readFileSync } from "node:fs";
import { request } from "node:http";
import { request as httpsRequest } from "node:https";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { equals, fromBinary, toBinary, create } from "@bufbuild/protobuf";
import { createLogger } from "@fleetprof/common";
import { DiffFlameGraphRequestSchema, DiffFlameGraphResponseSchema, FlameGraphRequestSchema, FlameGraphResponseSchema } from "@fleetprof/proto";
import { selfSignedCertificate } from "@fleetprof/test";
import { createQueryClient, startQueryApi, type QueryApi, type QueryClient } from "../src/index.js";
import { WORKLOAD, ingestWorkload, type Ingested } from "./workload.js";

const TOKEN = "ui-s3cret";
let ingested: Ingested;
let api: QueryApi;
let guarded: QueryApi;
let grpc: QueryClient;

beforeAll(async () => {
  ingested = await ingestWorkload();
  const logger = createLogger({ level: "silent" });
  api = await startQueryApi({ host: "127.0.0.1", port: 0, httpListen: "127.0.0.1:0" }, { store: ingested.store, logger });
  guarded = await startQueryApi(
    { host: "127.0.0.1", port: 0, httpListen: "127.0.0.1:0", token: TOKEN, httpAllowOrigins: "https://ops.example" },
    { store: ingested.store, logger },
  );
  grpc = createQueryClient(api.address);
}, 120_000);

afterAll(async () => {
  grpc?.close();
  await api?.stop();
  await guarded?.stop();
  await ingested?.close();
});

const range = () => ({ startUnixMs: String(ingested.startMs), endUnixMs: String(ingested.endMs) });
const url = (server: QueryApi, path: string): string => `${server.httpUrl ?? ""}${path}`;

async function postJson(
  server: QueryApi,
  method: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; json: Record<string, unknown> }> {
  const res = await fetch(url(server, `/fleetprof.v1.QueryService/${method}`), {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, json: (await res.json()) as Record<string, unknown> };
}

/** A raw HTTP/1.1 request: paths and Host headers that fetch would normalise or refuse. */
function raw(
  server: QueryApi,
  path: string,
  headers: Record<string, string> = {},
  method = "GET",
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const u = new URL(server.httpUrl ?? "");
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path, method, headers }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

/** Connect streaming messages: a flag byte, a 4-byte big-endian length, the message. */
function envelope(json: unknown): Uint8Array<ArrayBuffer> {
  const body = new TextEncoder().encode(JSON.stringify(json));
  const out = new Uint8Array(5 + body.length);
  new DataView(out.buffer).setUint32(1, body.length);
  out.set(body, 5);
  return out;
}

function unenvelope(bytes: Uint8Array): { flags: number; json: Record<string, unknown> }[] {
  const out: { flags: number; json: Record<string, unknown> }[] = [];
  for (let at = 0; at < bytes.length;) {
    const len = new DataView(bytes.buffer, bytes.byteOffset + at + 1, 4).getUint32(0);
    out.push({ flags: bytes[at] ?? 0, json: JSON.parse(new TextDecoder().decode(bytes.subarray(at + 5, at + 5 + len))) as Record<string, unknown> });
    at += 5 + len;
  }
  return out;
}

describe("Connect protocol on --http-listen", () => {
  it("answers curl-style JSON calls with what gRPC answers", async () => {
    const { status, headers, json } = await postJson(api, "ListServices", {});
    expect(status).toBe(200);
    expect(headers.get("content-type")).toMatch(/^application\/json/);
    const total = ingested.totals.v1 + ingested.totals.v2;
    expect(json["services"]).toEqual([expect.objectContaining({ name: WORKLOAD.service, versions: ["1.0", "2.0"], hosts: 2, samples: String(total) })]);

    const top = await postJson(api, "TopFunctions", { selector: `{service="shop", version="2.0"}`, range: range(), limit: 1 });
    const viaGrpc = await grpc.topFunctions({
      selector: `{service="shop", version="2.0"}`,
      range: { startUnixMs: BigInt(ingested.startMs), endUnixMs: BigInt(ingested.endMs) },
      limit: 1,
    });
    expect(top.json["functions"]).toEqual([expect.objectContaining({ function: "alpha", self: String(viaGrpc.functions[0]?.self) })]);
  });

  it("answers binary calls with exactly the gRPC message", async () => {
    const req = create(FlameGraphRequestSchema, {
      selector: `{service="shop"}`,
      range: { startUnixMs: BigInt(ingested.startMs), endUnixMs: BigInt(ingested.endMs) },
    });
    const res = await fetch(url(api, "/fleetprof.v1.QueryService/FlameGraph"), {
      method: "POST",
      headers: { "content-type": "application/proto" },
      body: toBinary(FlameGraphRequestSchema, req).slice(),
    });
    expect(res.status).toBe(200);
    const viaConnect = fromBinary(FlameGraphResponseSchema, new Uint8Array(await res.arrayBuffer()));
    const viaGrpc = await grpc.flameGraph(req);
    expect(viaConnect.flameGraph?.total).toBe(BigInt(ingested.totals.v1 + ingested.totals.v2));
    expect(equals(FlameGraphResponseSchema, viaConnect, viaGrpc)).toBe(true);
  });

  it("answers diff flame graphs in binary, and flame graphs in JSON, as gRPC does", async () => {
    const diff = create(DiffFlameGraphRequestSchema, {
      baseSelector: `{service="shop", version="1.0"}`,
      selector: `{service="shop", version="2.0"}`,
      range: { startUnixMs: BigInt(ingested.startMs), endUnixMs: BigInt(ingested.endMs) },
    });
    const res = await fetch(url(api, "/fleetprof.v1.QueryService/DiffFlameGraph"), {
      method: "POST",
      headers: { "content-type": "application/proto" },
      body: toBinary(DiffFlameGraphRequestSchema, diff).slice(),
    });
    expect(res.status).toBe(200);
    const viaConnect = fromBinary(DiffFlameGraphResponseSchema, new Uint8Array(await res.arrayBuffer()));
    const viaGrpc = await grpc.diffFlameGraph(diff);
    expect(viaConnect.flameGraph?.diff).toBe(true);
    expect(viaConnect.basis).toBeDefined();
    expect(equals(DiffFlameGraphResponseSchema, viaConnect, viaGrpc)).toBe(true);

    const { status, json } = await postJson(api, "FlameGraph", { selector: `{service="shop"}`, range: range() });
    expect(status).toBe(200);
    const graph = json["flameGraph"] as { nodes: unknown[]; total: string };
    const plain = await grpc.flameGraph({ selector: `{service="shop"}`, range: { startUnixMs: BigInt(ingested.startMs), endUnixMs: BigInt(ingested.endMs) } });
    expect(graph.total).toBe(String(ingested.totals.v1 + ingested.totals.v2));
    expect(graph.nodes).toHaveLength(plain.flameGraph?.nodes.length ?? -1);
  });

  it("refuses calls without the server's token, as unauthenticated", async () => {
    const anonymous = await postJson(guarded, "ListServices", {});
    expect(anonymous.status).toBe(401);
    expect(anonymous.json).toMatchObject({ code: "unauthenticated", message: expect.stringMatching(/bearer token/) as unknown });
    expect(anonymous.headers.get("fleetprof-error-code")).toBe("unauthenticated");
    expect((await postJson(guarded, "ListServices", {}, { authorization: "Bearer wrong" })).status).toBe(401);
    const allowed = await postJson(guarded, "ListServices", {}, { authorization: `Bearer ${TOKEN}` });
    expect(allowed.status).toBe(200);
    expect(allowed.json["services"]).toHaveLength(1);
  });

  it("says where a selector is wrong, as invalid_argument", async () => {
    const { status, json } = await postJson(api, "FlameGraph", { selector: '{service=="shop"}' });
    expect(status).toBe(400);
    expect(json["code"]).toBe("invalid_argument");
    expect(json["message"]).toMatch(/^selector: at column 9: "==" is not an operator/);
  });

  it("streams a server-streaming call, its error in the end-of-stream message", async () => {
    const res = await fetch(url(api, "/fleetprof.v1.QueryService/Capture"), {
      method: "POST",
      headers: { "content-type": "application/connect+json" },
      body: envelope({ selector: '{service="shop"}', durationMs: 1000 }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/connect+json");
    const messages = unenvelope(new Uint8Array(await res.arrayBuffer()));
    expect(messages.at(-1)?.flags).toBe(2);
    expect(messages.at(-1)?.json["error"]).toMatchObject({ code: "unavailable", message: expect.stringMatching(/nats-url/) as unknown });
  });
});

describe("web UI files", () => {
  it("serves the app with its content types, caching and page paths", async () => {
    const index = await fetch(url(api, "/"));
    expect(index.status).toBe(200);
    expect(index.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(index.headers.get("cache-control")).toBe("no-cache");
    expect(index.headers.get("content-security-policy")).toMatch(/default-src 'self'/);
    const html = await index.text();
    expect(html).toContain('<div id="app">');
    const script = /src="(\/assets\/app-[A-Z0-9]+\.js)"/.exec(html)?.[1] ?? "";
    const style = /href="(\/assets\/app-[A-Z0-9]+\.css)"/.exec(html)?.[1] ?? "";
    const js = await fetch(url(api, script), { headers: { "accept-encoding": "gzip" } });
    expect(js.status).toBe(200);
    expect(js.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(js.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect((await js.text()).length).toBeGreaterThan(1000);
    expect((await fetch(url(api, style))).headers.get("content-type")).toBe("text/css; charset=utf-8");
    // a page path is the app's: the browser routes it
    const page = await fetch(url(api, '/explore?q={service="shop"}'));
    expect(page.status).toBe(200);
    expect(await page.text()).toBe(html);
    expect((await fetch(url(api, "/assets/missing-ABCDEFGH.js"))).status).toBe(404);
  });

  it("never serves a file outside the UI's folder", async () => {
    for (const path of [
      "/../../../../etc/passwd",
      "/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
      "/assets/..%2f..%2f..%2f..%2f..%2fetc%2fpasswd",
      "/..%5c..%5cetc%5cpasswd",
      "/%00",
    ]) {
      const r = await raw(api, path);
      expect(r.status, path).toBe(404);
      expect(r.body, path).not.toContain("root:");
    }
  });

  it("answers only loopback names when it listens on loopback", async () => {
    expect((await raw(api, "/", { host: "attacker.example" })).status).toBe(421);
    expect((await raw(api, "/", { host: `localhost:${new URL(api.httpUrl ?? "").port}` })).status).toBe(200);
  });
});

describe("CORS", () => {
  const preflight = { origin: "https://ops.example", "access-control-request-method": "POST", "access-control-request-headers": "authorization, content-type" };

  it("is off by default: other origins' pages get no access", async () => {
    const r = await raw(api, "/fleetprof.v1.QueryService/ListServices", preflight, "OPTIONS");
    expect(r.status).toBe(403);
    expect(r.headers["access-control-allow-origin"]).toBeUndefined();
    const call = await postJson(api, "ListServices", {}, { origin: "https://ops.example" });
    expect(call.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("lets listed origins call, with the token header allowed and the error code exposed", async () => {
    const r = await raw(guarded, "/fleetprof.v1.QueryService/ListServices", preflight, "OPTIONS");
    expect(r.status).toBe(204);
    expect(r.headers["access-control-allow-origin"]).toBe("https://ops.example");
    expect(String(r.headers["access-control-allow-headers"])).toMatch(/Authorization/i);
    const call = await postJson(guarded, "ListServices", {}, { origin: "https://ops.example" });
    expect(call.headers.get("access-control-allow-origin")).toBe("https://ops.example");
    expect(call.headers.get("access-control-expose-headers")).toMatch(/fleetprof-error-code/);
    expect((await raw(guarded, "/fleetprof.v1.QueryService/ListServices", { ...preflight, origin: "https://evil.example" }, "OPTIONS")).status).toBe(403);
  });
});

describe("TLS", () => {
  it("serves HTTPS with the server's certificate when --tls-cert is set", async () => {
    const cert = selfSignedCertificate();

    const tls = await startQueryApi(
      { host: "127.0.0.1", port: 0, httpListen: "127.0.0.1:0", tlsCert: cert.cert, tlsKey: cert.key },
      { store: ingested.store, logger: createLogger({ level: "silent" }) },
    );
    try {
      expect(tls.httpUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const u = new URL(tls.httpUrl ?? "");
      const body = await new Promise<string>((resolve, reject) => {
        const req = httpsRequest(
          {
            host: u.hostname,
            port: u.port,
            path: "/fleetprof.v1.QueryService/ListServices",
            method: "POST",
            ca: readFileSync(cert.cert),
            headers: { "content-type": "application/json" },
          },
          (res) => {
            let text = "";
            res.setEncoding("utf8");
            res.on("data", (c: string) => (text += c));
            res.on("end", () => resolve(text));
          },
        );
        req.on("error", reject);
        req.end("{}");
      });
      expect(JSON.parse(body)).toMatchObject({ services: [{ name: WORKLOAD.service }] });
    } finally {
      await tls.stop();
    }
  });
});
