import type { GenService, GenServiceMethods } from "@bufbuild/protobuf/codegenv2";
import type { QueryService } from "@fleetprof/proto";
import type { StreamingImpl, UnaryImpl } from "../grpc/adapter.js";

type MethodsOf<S> = S extends GenService<infer M extends GenServiceMethods> ? M : never;

/** Handlers for every RPC of fleetprof.v1.QueryService. */
export type QueryServiceImpl = UnaryImpl<MethodsOf<typeof QueryService>>;

/** Handlers for the server-streaming RPCs of fleetprof.v1.QueryService. */
export type QueryServiceStreaming = StreamingImpl<MethodsOf<typeof QueryService>>;
