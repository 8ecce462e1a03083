/**
 * The one adapter between @bufbuild/protobuf service descriptors and @grpc/grpc-js: a
 * grpc-js `ServiceDefinition` (paths and binary serializers) from a generated `GenService`,
 * and unary handlers that get the decoded request, a cancellation signal and a deadline, and
 * whose errors go through {@link toStatus}.
 */
import { create, fromBinary, isMessage, toBinary, type DescMessage, type DescService, type MessageInitShape, type MessageShape } from "@bufbuild/protobuf";
import type { GenService, GenServiceMethods } from "@bufbuild/protobuf/codegenv2";
import type { Metadata, MethodDefinition, sendUnaryData, ServerUnaryCall, ServerWritableStream, ServiceDefinition, UntypedHandleCall } from "@grpc/grpc-js";
import { decodeFlameGraphResponse } from "./flame-graph-decode.js";
import { encodeFlameGraphResponse } from "./flame-graph-encode.js";
import { flameGraphField } from "./flame-graph-fields.js";
import { toStatus } from "./status.js";

export function methodPath(service: DescService, method: { name: string }): string {
  return `/${service.typeName}/${method.name}`;
}

/** grpc-js serializers for every method of a service, keyed by the method's local name. */
export function serviceDefinition(service: DescService): ServiceDefinition {
  const def: Record<string, MethodDefinition<unknown, unknown>> = {};
  for (const m of service.methods) {
    def[m.localName] = {
      path: methodPath(service, m),
      requestStream: m.methodKind === "client_streaming" || m.methodKind === "bidi_streaming",
      responseStream: m.methodKind === "server_streaming" || m.methodKind === "bidi_streaming",
      requestSerialize: (v: unknown) => Buffer.from(toBinary(m.input, v as MessageShape<DescMessage>)),
      requestDeserialize: (b: Buffer) => fromBinary(m.input, b),
      // flame graphs: the same bytes as toBinary, without its reflection (flame-graph-encode.ts)
      responseSerialize:
        flameGraphField(m.output) === undefined
          ? (v: unknown) => Buffer.from(toBinary(m.output, v as MessageShape<DescMessage>))
          : (v: unknown) => encodeFlameGraphResponse(m.output, v as MessageShape<DescMessage>),
      responseDeserialize: (b: Buffer) => decodeFlameGraphResponse(m.output, b),
      originalName: m.localName,
    };
  }
  return def;
}

/** What a handler gets besides its request. */
export interface CallContext {
  /** Aborted when the client cancels, the deadline passes, or the server stops. */
  signal: AbortSignal;
  /** Milliseconds left until the call's deadline (the client's, capped by the server's). */
  remainingMs: () => number;
  metadata: Metadata;
  peer: string;
  /** `Service/Method`, for logs. */
  method: string;
}

export type UnaryImpl<M extends GenServiceMethods> = {
  [K in keyof M as M[K]["methodKind"] extends "unary" ? K : never]: (
    request: MessageShape<M[K]["input"]>,
    context: CallContext,
  ) => Promise<MessageInitShape<M[K]["output"]>>;
};

export type StreamingImpl<M extends GenServiceMethods> = {
  [K in keyof M as M[K]["methodKind"] extends "server_streaming" ? K : never]: (
    request: MessageShape<M[K]["input"]>,
    context: CallContext,
    send: (message: MessageInitShape<M[K]["output"]>) => void,
  ) => Promise<void>;
};

/**
 * What the call hooks read from a call, whatever the transport: its deadline, metadata, peer
 * and cancellation. grpc-js calls (unary and server-streaming) are one; the Connect routes
 * build one from their handler context (connect/call-source.ts).
 */
export interface ServerCall {
  getDeadline(): Date | number;
  readonly metadata: Metadata;
  getPeer(): string;
  on(event: "cancelled", listener: () => void): unknown;
  removeListener(event: "cancelled", listener: () => void): unknown;
}

/** Per-call setup shared by every handler: context creation, auth, deadline, logging. */
export interface CallHooks {
  /**
   * Builds the context (signal, deadline) for a call; `done` releases timers and listeners.
   * `extraMs` lengthens the server's deadline cap (streaming calls that wait for a capture).
   */
  open(call: ServerCall, method: string, extraMs?: number): { context: CallContext; done: () => void };
  /** Runs before the handler; throw to refuse the call (e.g. UNAUTHENTICATED). */
  authorize?(context: CallContext): void;
  /** Called after every call with its outcome. */
  finished?(context: CallContext, error: unknown, elapsedMs: number): void;
}

/**
 * One call through the hooks, whatever the transport: context, authorization, the handler, the
 * outcome, timers released. The gRPC handlers below and the Connect routes both run calls here,
 * so every transport gets the same auth, deadlines, limits and logging.
 */
export async function runCall<T>(
  hooks: CallHooks,
  call: ServerCall,
  method: string,
  extraMs: number,
  handler: (context: CallContext) => Promise<T>,
): Promise<T> {
  const started = performance.now();
  const { context, done } = hooks.open(call, method, extraMs);
  try {
    hooks.authorize?.(context);
    const out = await handler(context);
    hooks.finished?.(context, undefined, performance.now() - started);
    return out;
  } catch (err) {
    hooks.finished?.(context, err, performance.now() - started);
    throw err;
  } finally {
    done();
  }
}

/** grpc-js handlers for the unary methods of a service. */
export function unaryHandlers<M extends GenServiceMethods>(service: GenService<M>, impl: UnaryImpl<M>, hooks: CallHooks): Record<string, UntypedHandleCall> {
  const handlers: Record<string, UntypedHandleCall> = {};
  for (const m of service.methods) {
    if (m.methodKind !== "unary") continue;
    const fn = (impl as Record<string, ((req: unknown, ctx: CallContext) => Promise<MessageInitShape<DescMessage>>) | undefined>)[m.localName];
    if (fn === undefined) continue;
    const name = `${service.name}/${m.name}`;
    handlers[m.localName] = (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>): void => {
      void runCall(hooks, call, name, 0, (context) => fn(call.request, context)).then(
        // A handler may return the finished message (large responses: no deep copy).
        (out) => callback(null, isMessage(out, m.output) ? out : create(m.output, out)),
        (err: unknown) => callback(toStatus(err), null),
      );
    };
  }
  return handlers;
}

/**
 * grpc-js handlers for the server-streaming methods of a service: the handler sends messages
 * with `send`, the stream ends when it resolves, and what it throws becomes the status.
 * `extraMs(method)` lengthens a method's server deadline cap.
 */
export function serverStreamingHandlers<M extends GenServiceMethods>(
  service: GenService<M>,
  impl: StreamingImpl<M>,
  hooks: CallHooks,
  extraMs: (method: string) => number = () => 0,
): Record<string, UntypedHandleCall> {
  const handlers: Record<string, UntypedHandleCall> = {};
  for (const m of service.methods) {
    if (m.methodKind !== "server_streaming") continue;
    type Handler = (req: unknown, ctx: CallContext, send: (msg: MessageInitShape<DescMessage>) => void) => Promise<void>;
    const fn = (impl as Record<string, Handler | undefined>)[m.localName];
    if (fn === undefined) continue;
    const name = `${service.name}/${m.name}`;
    handlers[m.localName] = (call: ServerWritableStream<unknown, unknown>): void => {
      const run = runCall(hooks, call, name, extraMs(m.localName), (context) =>
        fn(call.request, context, (msg) => {
          if (!context.signal.aborted) call.write(isMessage(msg, m.output) ? msg : create(m.output, msg));
        }),
      );
      void run.then(
        () => call.end(),
        (err: unknown) => call.emit("error", toStatus(err)),
      );
    };
  }
  return handlers;
}
