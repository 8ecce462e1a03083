/**
 * The one place where anything a command throws becomes one line a person understands and
 * an exit code: gRPC status from the server, our own FleetprofError, or anything else.
 */
import { ErrorCode, errorMessage, FleetprofError } from "@fleetprof/common";

/** gRPC status codes (grpc/grpc doc/statuscodes.md). */
const GRPC = {
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const;

/** A failed call, remembering which API address it went to (for the message). */
export class ApiCallError extends Error {
  override readonly name = "ApiCallError";
  constructor(
    readonly api: string,
    cause: unknown,
  ) {
    super(errorMessage(cause), { cause });
  }
}

export interface Described {
  message: string;
  /** 2 for usage and configuration mistakes, 1 for everything else. */
  exitCode: number;
}

interface GrpcLike {
  code: number;
  details?: string;
  message?: string;
}

function grpcError(err: unknown): GrpcLike | undefined {
  for (let e: unknown = err, depth = 0; e !== undefined && e !== null && depth < 5; depth++) {
    const c = (e as { code?: unknown }).code;
    if (typeof c === "number") return e as GrpcLike;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** grpc-js puts "14 UNAVAILABLE: " in front of the details; people need only the details. */
function detailsOf(g: GrpcLike): string {
  const text = (g.details ?? g.message ?? "").trim();
  return text.replace(/^\d+ [A-Z_]+: /, "");
}

/** grpc-js's long "No connection established. Last error: …" in a few words. */
function connectionProblem(details: string): string {
  if (/ECONNREFUSED/.test(details)) return "connection refused";
  if (/ENOTFOUND|EAI_AGAIN|DNS resolution failed|Name resolution failed/i.test(details)) return "host not found";
  if (/ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|deadline/i.test(details)) return "no answer";
  if (/certificate|SSL|TLS|handshake/i.test(details)) return `TLS failed: ${details.replace(/\s*Resolution note:.*$/s, "")}`;
  if (/Connection dropped|ECONNRESET|socket hang up/i.test(details)) return "connection dropped";
  return details === "" ? "unavailable" : details.replace(/\s*Resolution note:.*$/s, "");
}

export function describeError(err: unknown, context: { api?: string } = {}): Described {
  const api = context.api ?? (err instanceof ApiCallError ? err.api : "the query API");
  if (err instanceof ApiCallError && err.cause instanceof FleetprofError && grpcError(err.cause) === undefined) return describeError(err.cause, { api });
  const g = grpcError(err);
  if (g !== undefined) {
    const details = detailsOf(g);
    switch (g.code) {
      case GRPC.UNAVAILABLE:
        return {
          message: `cannot reach the query API at ${api} (${connectionProblem(details)}): is \`fleetprof up\` running? Point elsewhere with --api host:port`,
          exitCode: 1,
        };
      case GRPC.INVALID_ARGUMENT:
        return { message: `the query API rejected the request: ${details}`, exitCode: 2 };
      case GRPC.UNAUTHENTICATED:
        return {
          message: `the query API at ${api} wants a valid token: ${details || "missing or wrong token"} (pass --token or set FLEETPROF_TOKEN)`,
          exitCode: 1,
        };
      case GRPC.PERMISSION_DENIED:
        return { message: `not allowed: ${details}`, exitCode: 1 };
      case GRPC.DEADLINE_EXCEEDED:
        return {
          message: `the query took too long${details === "" ? "" : ` (${details})`}: narrow --since/--until or the selector, or raise --timeout`,
          exitCode: 1,
        };
      case GRPC.RESOURCE_EXHAUSTED:
        return { message: `the query hit a server limit: ${details}`, exitCode: 1 };
      case GRPC.NOT_FOUND:
        return { message: `not found: ${details}`, exitCode: 1 };
      case GRPC.UNIMPLEMENTED:
        return { message: `the query API at ${api} does not support this call (${details || "unimplemented"}): is it an older version?`, exitCode: 1 };
      case GRPC.CANCELLED:
        return { message: "cancelled", exitCode: 130 };
      default:
        return { message: `the query API failed: ${details || "unknown error"}`, exitCode: 1 };
    }
  }
  if (err instanceof FleetprofError) {
    const usage = err.code === ErrorCode.InvalidArgument || err.code === ErrorCode.InvalidConfig;
    return { message: err.message, exitCode: usage ? 2 : 1 };
  }
  return { message: errorMessage(err), exitCode: 1 };
}
