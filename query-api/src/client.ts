/**
 * The client half of the query API, importable without the server: `@fleetprof/query-api/client`
 * loads grpc-js and the generated descriptors only — never the store or its embedded
 * ClickHouse (hundreds of MB), so a client command starts fast and small.
 */
export {
  createQueryClient,
  createServiceClient,
  type CallOptions,
  type ClientTlsOptions,
  type QueryClient,
  type QueryClientOptions,
  type ServiceClient,
} from "./grpc/client.js";
