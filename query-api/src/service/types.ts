import type { GenService, GenServiceMethods } from "@bufbuild/protobuf/codegenv2";
import type { QueryService } from "@fleetprof/proto";
import type { UnaryImpl } from "../grpc/adapter.js";

type MethodsOf<S> = S extends GenService<infer M extends GenServiceMethods> ? M : never;

/** Handlers for every RPC of fleetprof.v1.QueryService. */
export type QueryServiceImpl = UnaryImpl<MethodsOf<typeof QueryService>>;
