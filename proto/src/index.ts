export * from "./gen/fleetprof/v1/samples_pb.js";
export * from "./gen/fleetprof/v1/control_pb.js";
export * from "./gen/fleetprof/v1/query_pb.js";
export * from "./wire.js";
export * from "./subjects.js";
