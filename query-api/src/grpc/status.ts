/**
 * The one boundary between FleetprofError and gRPC status, both ways: the server maps what a
 * handler threw to a status (nothing else in the server picks status codes), and the client
 * maps a failed call back to a FleetprofError with the same code.
 */
import { Metadata, status, type ServiceError, type StatusObject } from "@grpc/grpc-js";
import { ErrorCode, FleetprofError } from "@fleetprof/common";

const TO_STATUS: Record<ErrorCode, status> = {
  [ErrorCode.InvalidConfig]: status.FAILED_PRECONDITION,
  [ErrorCode.InvalidArgument]: status.INVALID_ARGUMENT,
  [ErrorCode.NotFound]: status.NOT_FOUND,
  [ErrorCode.ResourceExhausted]: status.RESOURCE_EXHAUSTED,
  [ErrorCode.MissingPrerequisite]: status.FAILED_PRECONDITION,
  [ErrorCode.PermissionDenied]: status.PERMISSION_DENIED,
  [ErrorCode.Unavailable]: status.UNAVAILABLE,
  [ErrorCode.DeadlineExceeded]: status.DEADLINE_EXCEEDED,
  [ErrorCode.Unauthenticated]: status.UNAUTHENTICATED,
  [ErrorCode.Cancelled]: status.CANCELLED,
  [ErrorCode.Unsupported]: status.UNIMPLEMENTED,
  [ErrorCode.Internal]: status.INTERNAL,
};

const FROM_STATUS: Partial<Record<status, ErrorCode>> = {
  [status.INVALID_ARGUMENT]: ErrorCode.InvalidArgument,
  [status.OUT_OF_RANGE]: ErrorCode.InvalidArgument,
  [status.NOT_FOUND]: ErrorCode.NotFound,
  [status.RESOURCE_EXHAUSTED]: ErrorCode.ResourceExhausted,
  [status.FAILED_PRECONDITION]: ErrorCode.InvalidConfig,
  [status.PERMISSION_DENIED]: ErrorCode.PermissionDenied,
  [status.UNAVAILABLE]: ErrorCode.Unavailable,
  [status.DEADLINE_EXCEEDED]: ErrorCode.DeadlineExceeded,
  [status.UNAUTHENTICATED]: ErrorCode.Unauthenticated,
  [status.CANCELLED]: ErrorCode.Cancelled,
  [status.UNIMPLEMENTED]: ErrorCode.Unsupported,
};

/** Metadata key carrying the FleetprofError code, so clients get it back exactly. */
export const ERROR_CODE_KEY = "fleetprof-error-code";

/** Server side: anything a handler threw → a gRPC status. Internal errors do not leak details. */
export function toStatus(reason: unknown): Partial<StatusObject> & { code: status; details: string } {
  const err = FleetprofError.from(reason);
  const metadata = new Metadata();
  metadata.set(ERROR_CODE_KEY, err.code);
  const details = err.code === ErrorCode.Internal ? `internal error: ${err.message}` : err.message;
  return { code: TO_STATUS[err.code], details, metadata };
}

/** Client side: a failed call → a FleetprofError with the server's code. */
export function fromServiceError(err: ServiceError | Error): FleetprofError {
  const se = err as Partial<ServiceError>;
  if (typeof se.code !== "number") return FleetprofError.from(err, ErrorCode.Unavailable);
  const sent = se.metadata?.get(ERROR_CODE_KEY)[0];
  const known = Object.values(ErrorCode) as string[];
  const code = typeof sent === "string" && known.includes(sent) ? (sent as ErrorCode) : (FROM_STATUS[se.code] ?? ErrorCode.Internal);
  return new FleetprofError(code, se.details !== undefined && se.details !== "" ? se.details : err.message, { cause: err });
}
