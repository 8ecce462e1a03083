/**
 * The query API for browsers and `curl`: one HTTP listener (`--http-listen`) serving the
 * Connect protocol (JSON and binary, unary and server streaming; gRPC-Web too) at
 * `/fleetprof.v1.QueryService/<Method>` and the web UI's files everywhere else.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { createContextValues, type ConnectRouter } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { ErrorCode, errorMessage, FleetprofError, type Logger } from "@fleetprof/common";
import { PEER } from "./call-source.js";
import { fastBrotli, fastGzip } from "./compression.js";
import { applyCors, parseOrigins } from "./cors.js";
import type { InlineFlameStarter } from "./inline-flame.js";
import { staticFiles } from "./static-files.js";

export interface HttpServerOptions {
  /** `host:port`; port 0 picks a free one. */
  listen: string;
  routes: (router: ConnectRouter) => void;
  /** The web UI's built files. */
  uiDir: string;
  /** Starts the Explore page's flame graph call for the page to carry (inline-flame.ts); none: pages are served as they are. */
  inlineFlame?: InlineFlameStarter | undefined;
  /** Comma-separated origins allowed to call the routes from their pages; empty: none. */
  allowOrigins: string;
  /** PEM certificate chain and key: serve HTTPS. */
  tls?: { cert: Buffer; key: Buffer } | undefined;
  log: Logger;
}

export interface HttpServer {
  /** `host:port` listened on. */
  address: string;
  /** Where a browser opens the UI. */
  url: string;
  /** Stops accepting; open requests get `graceMs` to finish, then their connections are closed. */
  stop(graceMs: number): Promise<void>;
}

/** Splits `host:port` (`[::1]:4040`, `:4040` for every interface). */
export function parseListen(listen: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(listen.trim());
  const port = Number(m?.[3]);
  if (m === null || !Number.isInteger(port) || port > 65_535) {
    throw new FleetprofError(
      ErrorCode.InvalidConfig,
      `http-listen: expected host:port (e.g. 127.0.0.1:4040), got "${listen}"; an empty value turns the HTTP listener off`,
    );
  }
  return { host: m[1] ?? (m[2] === "" || m[2] === undefined ? "0.0.0.0" : m[2]), port };
}

const LOOPBACK = new Set(["127.0.0.1", "::1", "localhost"]);

function isLoopback(address: string | undefined): boolean {
  return address !== undefined && (address.startsWith("127.") || address === "::1" || address.startsWith("::ffff:127."));
}

/** Host header's name without the port. */
function hostName(header: string | undefined): string {
  if (header === undefined) return "";
  const m = /^\[([^\]]+)\]|^([^:]+)/.exec(header);
  return (m?.[1] ?? m?.[2] ?? "").toLowerCase();
}

/** Starts the HTTP listener. */
export async function startHttpServer(options: HttpServerOptions): Promise<HttpServer> {
  const { host, port } = parseListen(options.listen);
  const allowed = parseOrigins(options.allowOrigins);
  // On loopback, only loopback names: a page whose DNS name was rebound to 127.0.0.1 cannot call in.
  const loopbackOnly = LOOPBACK.has(host) || host.startsWith("127.");
  const files = staticFiles(options.uiDir, options.inlineFlame);
  const connect = connectNodeAdapter({
    routes: options.routes,
    grpc: false,
    acceptCompression: [fastGzip, fastBrotli],
    // HTTP/1.1 only here, so requests are IncomingMessages.
    fallback: (req, res) => files(req as IncomingMessage, res as ServerResponse),
    contextValues: (req) => createContextValues().set(PEER, `${req.socket.remoteAddress ?? ""}:${String(req.socket.remotePort ?? "")}`),
  });
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    if (loopbackOnly && !LOOPBACK.has(hostName(req.headers.host)) && !hostName(req.headers.host).startsWith("127.")) {
      res
        .writeHead(421, { "content-type": "text/plain; charset=utf-8" })
        .end("this server answers loopback names only (localhost, 127.0.0.1): listen on another address with --http-listen\n");
      return;
    }
    if (applyCors(allowed, req, res)) return;
    // Compressing for a client on this machine only costs time.
    if (isLoopback(req.socket.remoteAddress)) {
      delete req.headers["accept-encoding"];
      delete req.headers["connect-accept-encoding"];
    }
    connect(req, res);
  };
  const server: Server = options.tls === undefined ? createHttpServer(handle) : createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, handle);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => {
        server.off("error", reject);
        resolve();
      });
    });
  } catch (err) {
    throw new FleetprofError(
      ErrorCode.Unavailable,
      `cannot listen on ${options.listen} for HTTP: ${errorMessage(err)} (is another process using the port? choose one with --http-listen, or turn it off with --http-listen "")`,
      { cause: err },
    );
  }
  const a = server.address() as AddressInfo;
  const shown = a.address === "0.0.0.0" || a.address === "::" ? "127.0.0.1" : a.address;
  const address = `${shown.includes(":") ? `[${shown}]` : shown}:${String(a.port)}`;
  const url = `${options.tls === undefined ? "http" : "https"}://${address}`;
  options.log.info({ url, cors: allowed }, "web UI and Connect API listening");
  return {
    address,
    url,
    stop: (graceMs) =>
      new Promise<void>((resolve) => {
        const force = setTimeout(() => server.closeAllConnections(), graceMs);
        force.unref();
        server.close(() => {
          clearTimeout(force);
          resolve();
        });
        server.closeIdleConnections();
      }),
  };
}
