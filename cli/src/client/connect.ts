/** Opens a query API client from the command-line connection options. */
import { readFileSync } from "node:fs";
import { ErrorCode, FleetprofError } from "@fleetprof/common";
import type { QueryClient } from "./query-client.js";

export interface ClientConnection {
  api: string;
  tls: boolean;
  tlsCa: string | undefined;
  token: string | undefined;
  timeout: number;
}

interface QueryApiModule {
  createQueryClient?: (address: string, options: { tls?: boolean | { ca?: Buffer }; token?: string; timeoutMs?: number }) => QueryClient;
}

export async function connectQueryApi(connection: ClientConnection): Promise<QueryClient> {
  const mod = (await import("@fleetprof/query-api")) as QueryApiModule;
  if (typeof mod.createQueryClient !== "function") {
    throw new FleetprofError(ErrorCode.Unsupported, "this build of fleetprof has no query API client yet (@fleetprof/query-api)");
  }
  let tls: boolean | { ca?: Buffer } | undefined;
  if (connection.tlsCa !== undefined) {
    try {
      tls = { ca: readFileSync(connection.tlsCa) };
    } catch (err) {
      throw new FleetprofError(ErrorCode.InvalidConfig, `cannot read --tls-ca ${connection.tlsCa}: ${(err as Error).message}`, { cause: err });
    }
  } else if (connection.tls) {
    tls = true;
  }
  return mod.createQueryClient(connection.api, {
    ...(tls === undefined ? {} : { tls }),
    ...(connection.token === undefined ? {} : { token: connection.token }),
    timeoutMs: connection.timeout,
  });
}
