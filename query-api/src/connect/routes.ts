/**
 * The Connect routes of a service: the same handlers as gRPC (unary ones return a message,
 * streaming ones `send` messages), each call run through the same hooks by `runCall`; flame
 * graphs in binary answers are written by the same hand codec as on gRPC (flame-graph-bytes.ts).
 */
import type { DescMessage, MessageInitShape } from "@bufbuild/protobuf";
import type { GenService, GenServiceMethods } from "@bufbuild/protobuf/codegenv2";
import type { ConnectRouter, HandlerContext, ServiceImpl } from "@connectrpc/connect";
import { runCall, type CallContext, type CallHooks, type StreamingImpl, type UnaryImpl } from "../grpc/adapter.js";
import { callSource } from "./call-source.js";
import { answersInBinary, binaryFlameGraph } from "./flame-graph-bytes.js";
import { toConnectError } from "./connect-error.js";
import { streamFrom } from "./stream-from.js";

type UnaryFn = (req: unknown, ctx: CallContext) => Promise<MessageInitShape<DescMessage>>;
type StreamingFn = (req: unknown, ctx: CallContext, send: (msg: MessageInitShape<DescMessage>) => void) => Promise<void>;

/** Registers `service` on a Connect router; `extraMs(method)` lengthens a method's deadline cap as on gRPC. */
export function connectRoutes<M extends GenServiceMethods>(
  service: GenService<M>,
  unary: UnaryImpl<M>,
  streaming: StreamingImpl<M>,
  hooks: CallHooks,
  extraMs: (method: string) => number = () => 0,
): (router: ConnectRouter) => void {
  const impl: Record<string, unknown> = {};
  for (const m of service.methods) {
    const name = `${service.name}/${m.name}`;
    if (m.methodKind === "unary") {
      const fn = (unary as Record<string, UnaryFn | undefined>)[m.localName];
      if (fn === undefined) continue;
      const withGraph = binaryFlameGraph(m.output);
      impl[m.localName] = (req: unknown, ctx: HandlerContext) =>
        runCall(hooks, callSource(ctx), name, 0, (context) => fn(req, context))
          .then((out) => (withGraph !== undefined && answersInBinary(ctx) ? withGraph(out) : out))
          .catch((err: unknown) => {
            throw toConnectError(err);
          });
    } else if (m.methodKind === "server_streaming") {
      const fn = (streaming as Record<string, StreamingFn | undefined>)[m.localName];
      if (fn === undefined) continue;
      impl[m.localName] = (req: unknown, ctx: HandlerContext) =>
        streamFrom<MessageInitShape<DescMessage>>(
          (send) =>
            runCall(hooks, callSource(ctx), name, extraMs(m.localName), (context) =>
              fn(req, context, (msg) => {
                if (!context.signal.aborted) send(msg);
              }),
            ),
          toConnectError,
        );
    }
  }
  return (router) => {
    router.service(service, impl as Partial<ServiceImpl<GenService<M>>>);
  };
}
