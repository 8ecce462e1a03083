/**
 * The standard grpc.health.v1 service: Check and Watch for "" (the whole server) and each
 * served service. SERVING while the server runs, NOT_SERVING once it begins to stop.
 */
import { create } from "@bufbuild/protobuf";
import { status as grpcStatus, type ServerUnaryCall, type ServerWritableStream, type sendUnaryData, type UntypedServiceImplementation } from "@grpc/grpc-js";
import { grpcHealthV1 } from "@fleetprof/proto";

const { HealthCheckResponseSchema, HealthCheckResponse_ServingStatus: ServingStatus } = grpcHealthV1;
type ServingStatus = grpcHealthV1.HealthCheckResponse_ServingStatus;

export class HealthService {
  readonly #status = new Map<string, ServingStatus>();
  readonly #watchers = new Set<{ service: string; call: ServerWritableStream<grpcHealthV1.HealthCheckRequest, grpcHealthV1.HealthCheckResponse> }>();

  constructor(services: readonly string[]) {
    for (const s of ["", ...services]) this.#status.set(s, ServingStatus.SERVING);
  }

  /** Sets every service's status (e.g. NOT_SERVING while stopping) and tells watchers. */
  setAll(serving: boolean): void {
    for (const s of this.#status.keys()) this.#status.set(s, serving ? ServingStatus.SERVING : ServingStatus.NOT_SERVING);
    for (const w of this.#watchers) w.call.write(this.#response(w.service));
  }

  /** Ends every Watch stream (before the server shuts down). */
  endWatches(): void {
    for (const w of this.#watchers) w.call.end();
    this.#watchers.clear();
  }

  #response(service: string): grpcHealthV1.HealthCheckResponse {
    return create(HealthCheckResponseSchema, { status: this.#status.get(service) ?? ServingStatus.SERVICE_UNKNOWN });
  }

  implementation(): UntypedServiceImplementation {
    return {
      check: (
        call: ServerUnaryCall<grpcHealthV1.HealthCheckRequest, grpcHealthV1.HealthCheckResponse>,
        callback: sendUnaryData<grpcHealthV1.HealthCheckResponse>,
      ) => {
        const service = call.request.service;
        if (!this.#status.has(service)) {
          callback({ code: grpcStatus.NOT_FOUND, details: `unknown service "${service}"` }, null);
          return;
        }
        callback(null, this.#response(service));
      },
      watch: (call: ServerWritableStream<grpcHealthV1.HealthCheckRequest, grpcHealthV1.HealthCheckResponse>) => {
        const watcher = { service: call.request.service, call };
        this.#watchers.add(watcher);
        call.write(this.#response(watcher.service));
        call.on("cancelled", () => this.#watchers.delete(watcher));
      },
    };
  }
}
