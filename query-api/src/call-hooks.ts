/**
 * What every call gets, on every transport (gRPC and Connect): the bearer-token check, a
 * deadline that also stops its ClickHouse query, cancellation by the client, and one log line
 * with its outcome.
 */
import { timingSafeEqual } from "node:crypto";
import { ErrorCode, FleetprofError, type Logger } from "@fleetprof/common";
import type { CallContext, CallHooks, ServerCall } from "./grpc/adapter.js";

export interface CallHookOptions {
  /** The bearer token calls must carry; undefined lets every call in. */
  token: string | undefined;
  /** The longest a call may run on this server (option deadline). */
  deadlineMs: number;
  log: Logger;
}

export interface ServerCallHooks {
  hooks: CallHooks;
  /** Throws UNAUTHENTICATED unless the call carries the token. */
  authorize: (context: Pick<CallContext, "metadata">) => void;
  /** Every running call's abort controller, so a forced stop cancels their queries. */
  running: Set<AbortController>;
}

function tokenMatches(header: unknown, token: string): boolean {
  if (typeof header !== "string") return false;
  const m = /^Bearer\s+(.+)$/i.exec(header.trim());
  if (m === null) return false;
  const a = Buffer.from(m[1] as string);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The call context: aborted at the earlier of the client's deadline and the server's cap, or when the client cancels. */
function openCall(
  running: Set<AbortController>,
  deadlineMs: number,
  call: ServerCall,
  method: string,
  extraMs: number,
): { context: CallContext; done: () => void } {
  const controller = new AbortController();
  running.add(controller);
  const clientDeadline = call.getDeadline();
  const clientMs = clientDeadline instanceof Date ? clientDeadline.getTime() : clientDeadline;
  const capMs = deadlineMs + extraMs;
  const deadline = Math.min(Number.isFinite(clientMs) ? clientMs : Infinity, Date.now() + capMs);
  const timer = setTimeout(
    () => {
      controller.abort(
        new FleetprofError(ErrorCode.DeadlineExceeded, `the call ran past its deadline (at most ${String(capMs)}ms on this server, option deadline)`),
      );
    },
    Math.max(0, deadline - Date.now()),
  );
  const onCancel = (): void => controller.abort(new FleetprofError(ErrorCode.Cancelled, "the client cancelled the call"));
  call.on("cancelled", onCancel);
  return {
    context: { signal: controller.signal, remainingMs: () => Math.max(1, deadline - Date.now()), metadata: call.metadata, peer: call.getPeer(), method },
    done: () => {
      clearTimeout(timer);
      call.removeListener("cancelled", onCancel);
      running.delete(controller);
    },
  };
}

/** The hooks every QueryService call runs through, and the set of running calls. */
export function createCallHooks({ token, deadlineMs, log }: CallHookOptions): ServerCallHooks {
  const running = new Set<AbortController>();
  const authorize = (context: Pick<CallContext, "metadata">): void => {
    if (token !== undefined && !tokenMatches(context.metadata.get("authorization")[0], token)) {
      throw new FleetprofError(
        ErrorCode.Unauthenticated,
        "this server needs a bearer token: send `authorization: Bearer <token>` (fleetprof --token, grpcurl -H)",
      );
    }
  };
  const hooks: CallHooks = {
    open: (call, method, extraMs = 0) => openCall(running, deadlineMs, call, method, extraMs),
    authorize,
    finished(context, error, elapsedMs) {
      const ms = Math.round(elapsedMs);
      if (error === undefined) {
        log.debug({ method: context.method, ms }, "call");
        return;
      }
      const err = FleetprofError.from(error);
      if (err.code === ErrorCode.Internal || err.code === ErrorCode.Unavailable) log.error({ method: context.method, ms, err }, "call failed");
      else log.info({ method: context.method, ms, code: err.code, reason: err.message }, "call refused");
    },
  };
  return { hooks, authorize, running };
}
