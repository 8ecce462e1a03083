/**
 * One error class for everything fleetprof raises on purpose. Each error has a stable `code`
 * (machine-readable, never reworded) and a message that says what happened and what to do.
 * Map codes to gRPC status or exit codes at exactly one boundary per process.
 */
export enum ErrorCode {
  /** Configuration is missing or invalid. */
  InvalidConfig = "invalid_config",
  /** A caller passed something malformed (a selector, a time range). */
  InvalidArgument = "invalid_argument",
  /** Something the caller named does not exist. */
  NotFound = "not_found",
  /** A limit was hit (range, nodes, spool). */
  ResourceExhausted = "resource_exhausted",
  /** A required program is not installed (nats-server, py-spy). */
  MissingPrerequisite = "missing_prerequisite",
  /** The OS refused (ptrace, files). */
  PermissionDenied = "permission_denied",
  /** A dependency (NATS, ClickHouse) cannot be reached now; retrying later may work. */
  Unavailable = "unavailable",
  /** A deadline passed. */
  DeadlineExceeded = "deadline_exceeded",
  /** Authentication missing or wrong. */
  Unauthenticated = "unauthenticated",
  /** The operation was cancelled. */
  Cancelled = "cancelled",
  /** Unsupported target (PyPy, free-threaded CPython). */
  Unsupported = "unsupported",
  /** A bug or an unexpected failure. */
  Internal = "internal",
}

export class FleetprofError extends Error {
  override readonly name = "FleetprofError";
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }

  /** Normalises anything caught into a FleetprofError (code Internal unless it already is one). */
  static from(reason: unknown, code: ErrorCode = ErrorCode.Internal): FleetprofError {
    if (reason instanceof FleetprofError) return reason;
    if (reason instanceof Error) return new FleetprofError(code, reason.message, { cause: reason });
    return new FleetprofError(code, String(reason), { cause: reason });
  }
}

export function isFleetprofError(reason: unknown, code?: ErrorCode): reason is FleetprofError {
  return reason instanceof FleetprofError && (code === undefined || reason.code === code);
}
