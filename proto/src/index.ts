export * from "./gen/fleetprof/v1/samples_pb.js";
export * from "./gen/fleetprof/v1/control_pb.js";
export * from "./gen/fleetprof/v1/query_pb.js";
export * from "./wire.js";
export * from "./subjects.js";
export * from "./control-subjects.js";
export * from "./modes.js";
export * from "./limits.js";
export * from "./wire-tags.js";
// The standard gRPC health and reflection protocols (served by the query API).
export * as grpcHealthV1 from "./gen/grpc/health/v1/health_pb.js";
export * as grpcReflectionV1 from "./gen/grpc/reflection/v1/reflection_pb.js";
export * as grpcReflectionV1alpha from "./gen/grpc/reflection/v1alpha/reflection_pb.js";
