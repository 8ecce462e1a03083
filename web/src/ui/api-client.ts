/**
 * The Connect client itself (protobuf runtime, the generated service descriptor, the
 * transport): its own chunk, loaded by api.ts on the first call, so the app's first script
 * (the Explore page's flame graph) does not carry it.
 */
import { ConnectError, createClient, type Interceptor } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { codeFromString } from "@connectrpc/connect/protocol-connect";
import { QueryService } from "@fleetprof/proto/query";
import { storedToken } from "./token.js";

const auth: Interceptor = (next) => (req) => {
  const token = storedToken();
  if (token !== "") req.header.set("authorization", `Bearer ${token}`);
  return next(req);
};

export const client = createClient(QueryService, createConnectTransport({ baseUrl: location.origin, useBinaryFormat: true, interceptors: [auth] }));

export { ConnectError, codeFromString };
