/** The metrics and health endpoint: GET /metrics (Prometheus), GET /healthz (JSON, 200 or 503). */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface HealthReport {
  ok: boolean;
  [k: string]: unknown;
}

export async function startHttp(listen: string, metrics: () => string, health: () => HealthReport): Promise<{ server: Server; address: string }> {
  const i = listen.lastIndexOf(":");
  const host = i === -1 ? "127.0.0.1" : listen.slice(0, i) || "0.0.0.0";
  const port = Number(i === -1 ? listen : listen.slice(i + 1));
  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method === "GET" && path === "/metrics") {
      res.writeHead(200, { "content-type": "text/plain; version=0.0.4" }).end(metrics());
    } else if (req.method === "GET" && (path === "/healthz" || path === "/health")) {
      const h = health();
      res.writeHead(h.ok ? 200 : 503, { "content-type": "application/json" }).end(JSON.stringify(h));
    } else {
      res.writeHead(404).end("not found\n");
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const a = server.address() as AddressInfo;
  return { server, address: `${a.address}:${String(a.port)}` };
}
