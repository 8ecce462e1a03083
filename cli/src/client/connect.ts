/** Opens a query API client (`@fleetprof/query-api/client`: grpc-js only, never the store) from the command-line connection options. */
import type { QueryClient } from "./query-client.js";

export interface ClientConnection {
  api: string;
  tls: boolean;
  /** PEM file of the CA that signed the server certificate. */
  tlsCa: string | undefined;
  token: string | undefined;
  /** Deadline per call, ms. */
  timeout: number;
}

export async function connectQueryApi(connection: ClientConnection): Promise<QueryClient> {
  // Loaded on demand: `fleetprof --help` should not pay for grpc-js.
  const { createQueryClient } = await import("@fleetprof/query-api/client");
  const tls = connection.tlsCa !== undefined ? { caFile: connection.tlsCa } : connection.tls;
  return createQueryClient(connection.api, {
    tls,
    ...(connection.token === undefined ? {} : { token: connection.token }),
    deadlineMs: connection.timeout,
  });
}
