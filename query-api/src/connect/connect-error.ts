/**
 * What a Connect client gets when a call fails: the gRPC status that `toStatus` picks (Connect
 * codes are the gRPC status numbers), its message, and the FleetprofError code in the
 * `fleetprof-error-code` header, exactly as gRPC clients get them.
 */
import { ConnectError, type Code } from "@connectrpc/connect";
import { ERROR_CODE_KEY, toStatus } from "../grpc/status.js";

export function toConnectError(reason: unknown): ConnectError {
  const status = toStatus(reason);
  const code = status.metadata?.get(ERROR_CODE_KEY)[0];
  // Connect's codes are the gRPC status numbers; toStatus never answers OK.
  const connectCode: Code = status.code as number;
  const headers: Record<string, string> = typeof code === "string" ? { [ERROR_CODE_KEY]: code } : {};
  return new ConnectError(status.details, connectCode, headers, undefined, reason);
}
