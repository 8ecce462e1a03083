/**
 * Flame graphs in Connect's binary responses, written by the hand codec gRPC uses
 * (grpc/flame-graph-encode.ts) instead of protobuf-es's reflection, which would also turn the
 * graph's node columns into thousands of objects (profile/flame-columns.ts). The encoded graph
 * goes into the response as an unknown field, which protobuf-es's `toBinary` writes as it is,
 * after the known fields: protobuf readers take fields in any order. JSON responses are left to
 * protobuf-es (unknown fields have no JSON form).
 */
import { create, isMessage, type DescMessage, type MessageInitShape, type MessageShape } from "@bufbuild/protobuf";
import { WireType } from "@bufbuild/protobuf/wire";
import type { HandlerContext } from "@connectrpc/connect";
import type { FlameGraph } from "@fleetprof/proto";
import { encodeFlameGraphPayload } from "../grpc/flame-graph-encode.js";
import { flameGraphField } from "../grpc/flame-graph-fields.js";

type Response = MessageShape<DescMessage> & { flameGraph?: FlameGraph | undefined };

/** For a response type that carries a flame graph: the response with its graph pre-encoded; undefined for other types. */
export function binaryFlameGraph(schema: DescMessage): ((out: MessageInitShape<DescMessage>) => MessageShape<DescMessage>) | undefined {
  const field = flameGraphField(schema);
  if (field === undefined) return undefined;
  return (out) => {
    const message = (isMessage(out, schema) ? out : create(schema, out)) as Response;
    const payload = message.flameGraph === undefined ? undefined : encodeFlameGraphPayload(message.flameGraph);
    if (payload === undefined) return message;
    message.flameGraph = undefined;
    message.$unknown = [...(message.$unknown ?? []), { no: field, wireType: WireType.LengthDelimited, data: payload }];
    return message;
  };
}

/** Does the call's answer go out as protobuf binary (Connect or gRPC-Web)? */
export function answersInBinary(ctx: HandlerContext): boolean {
  return /^application\/(?:proto|connect\+proto|grpc-web(?:\+proto)?)\s*(?:;|$)/i.test(ctx.requestHeader.get("content-type") ?? "");
}
