/**
 * The gRPC server: fleetprof.v1.QueryService, grpc.health.v1.Health and server reflection
 * (v1 and v1alpha) on one port, optional TLS and bearer-token auth, a deadline per call that
 * also stops its ClickHouse query, and a clean stop.
 */
import { readFileSync } from "node:fs";
import { Server, ServerCredentials, type ServerDuplexStream, type UntypedServiceImplementation } from "@grpc/grpc-js";
import { createLogger, ErrorCode, errorMessage, FleetprofError, type Logger } from "@fleetprof/common";
import { file_fleetprof_v1_query, grpcHealthV1, grpcReflectionV1, grpcReflectionV1alpha, QueryService } from "@fleetprof/proto";
import { openStore, type ReadTarget, type Store } from "@fleetprof/store";
import { UI_DIR } from "@fleetprof/web";
import { createCallHooks, type ServerCallHooks } from "./call-hooks.js";
import { connectRoutes } from "./connect/routes.js";
import { startHttpServer, type HttpServer } from "./connect/http-server.js";
import { inlineFlameStarter } from "./connect/inline-flame.js";
import { serverStreamingHandlers, serviceDefinition, unaryHandlers } from "./grpc/adapter.js";
import { NatsLink } from "./control/nats-link.js";
import { HealthService } from "./grpc/health.js";
import { ReflectionService } from "./grpc/reflection.js";
import { toStatus } from "./grpc/status.js";
import { withDefaults, type QueryApiConfig } from "./options.js";
import { createAdmissions } from "./service/admission.js";
import { CAPTURE_STORE_WAIT_MS, createCaptureService } from "./service/capture.js";
import { createQueryService } from "./service/query-service.js";

export interface StartOptions {
  /** An open store (embedded mode shares one with the collector); otherwise one is opened from the config and closed on stop. */
  store?: Store | ReadTarget | undefined;
  logger?: Logger | undefined;
}

export interface QueryApi {
  /** The port listened on (useful with port 0). */
  port: number;
  /** `host:port` for clients. */
  address: string;
  /** The web UI and Connect API (`http-listen`), when served. */
  httpUrl: string | undefined;
  /** Stops accepting calls, lets running ones finish within the shutdown grace, then closes. */
  stop(): Promise<void>;
}

function credentialsFor(config: QueryApiConfig): ServerCredentials {
  const { tlsCert, tlsKey } = config;
  if (tlsCert === undefined && tlsKey === undefined) return ServerCredentials.createInsecure();
  if (tlsCert === undefined || tlsKey === undefined) {
    throw new FleetprofError(ErrorCode.InvalidConfig, "TLS needs both --tls-cert and --tls-key");
  }
  try {
    return ServerCredentials.createSsl(null, [{ cert_chain: readFileSync(tlsCert), private_key: readFileSync(tlsKey) }], false);
  } catch (err) {
    throw new FleetprofError(ErrorCode.InvalidConfig, `cannot load the TLS certificate or key: ${errorMessage(err)}`, { cause: err });
  }
}

/** The store given, or one opened as a reader (the collector owns the schema and its TTLs); `owned` is closed on stop. */
async function openReadTarget(config: QueryApiConfig, options: StartOptions): Promise<{ store: ReadTarget; owned: Store | undefined }> {
  if (options.store !== undefined) return { store: options.store, owned: undefined };
  const owned = await openStore(config.clickhouseUrl, {
    database: config.clickhouseDatabase,
    cluster: config.clickhouseCluster,
    migrate: false,
    schemaWaitMs: config.schemaWait,
    logger: options.logger,
  });
  return { store: owned, owned };
}

interface GrpcServices {
  queryService: ReturnType<typeof createQueryService>;
  capture: ReturnType<typeof createCaptureService>;
  calls: ServerCallHooks;
  captureExtraMs: () => number;
}

/** QueryService, health and reflection (v1 and v1alpha) on `server`; returns the health service (the stop marks it down). */
function addGrpcServices(server: Server, { queryService, capture, calls, captureExtraMs }: GrpcServices): HealthService {
  const served = [
    QueryService.typeName,
    grpcHealthV1.Health.typeName,
    grpcReflectionV1.ServerReflection.typeName,
    grpcReflectionV1alpha.ServerReflection.typeName,
  ];
  const health = new HealthService([QueryService.typeName]);
  const reflection = new ReflectionService(
    [
      file_fleetprof_v1_query,
      grpcHealthV1.file_grpc_health_v1_health,
      grpcReflectionV1.file_grpc_reflection_v1_reflection,
      grpcReflectionV1alpha.file_grpc_reflection_v1alpha_reflection,
    ],
    served,
  );
  /** Reflection calls need the token too (grpcurl -H sends it with reflection requests). */
  const guarded = (impl: UntypedServiceImplementation): UntypedServiceImplementation => ({
    serverReflectionInfo: (call: ServerDuplexStream<unknown, unknown>) => {
      try {
        calls.authorize({ metadata: call.metadata });
      } catch (err) {
        call.emit("error", toStatus(err));
        return;
      }
      (impl["serverReflectionInfo"] as (c: ServerDuplexStream<unknown, unknown>) => void)(call);
    },
  });
  server.addService(serviceDefinition(QueryService), {
    ...unaryHandlers(QueryService, queryService, calls.hooks),
    // A capture call lasts its duration on top of the usual query time.
    ...serverStreamingHandlers(QueryService, capture, calls.hooks, captureExtraMs),
  });
  server.addService(serviceDefinition(grpcHealthV1.Health), health.implementation());
  server.addService(
    serviceDefinition(grpcReflectionV1.ServerReflection),
    guarded(reflection.implementation(grpcReflectionV1.ServerReflectionRequestSchema, grpcReflectionV1.ServerReflectionResponseSchema)),
  );
  server.addService(
    serviceDefinition(grpcReflectionV1alpha.ServerReflection),
    guarded(reflection.implementation(grpcReflectionV1alpha.ServerReflectionRequestSchema, grpcReflectionV1alpha.ServerReflectionResponseSchema)),
  );
  return health;
}

/** Binds the gRPC server; the port it got. */
async function bindGrpc(server: Server, bindAddress: string, credentials: ServerCredentials): Promise<number> {
  try {
    return await new Promise<number>((resolve, reject) => {
      server.bindAsync(bindAddress, credentials, (err, p) => (err === null ? resolve(p) : reject(err)));
    });
  } catch (err) {
    throw new FleetprofError(
      ErrorCode.Unavailable,
      `cannot listen on ${bindAddress}: ${errorMessage(err)} (is another process using the port? choose one with --port)`,
      { cause: err },
    );
  }
}

interface Running {
  server: Server;
  health: HealthService;
  http: HttpServer | undefined;
  running: Set<AbortController>;
  /** Closes what the API opened (NATS link, its own store). */
  close: () => Promise<void>;
  graceMs: number;
  log: Logger;
}

/** The stop of a started API (the same promise however often it is called): calls get the grace to finish, then are cancelled. */
function stopper({ server, health, http, running, close, graceMs, log }: Running): () => Promise<void> {
  let stopping: Promise<void> | undefined;
  return () => {
    stopping ??= (async () => {
      health.setAll(false);
      health.endWatches();
      const httpStopped = http?.stop(graceMs);
      await new Promise<void>((resolve) => {
        const force = setTimeout(() => {
          log.warn({ calls: running.size }, "shutdown grace over: cancelling running calls");
          for (const c of running) c.abort(new FleetprofError(ErrorCode.Unavailable, "the server is shutting down"));
          server.forceShutdown();
          resolve();
        }, graceMs);
        force.unref();
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      });
      await httpStopped;
      await close();
      log.info("query API stopped");
    })();
    return stopping;
  };
}

/**
 * Starts the query API. `config` may be partial: defaults fill the rest, except that the HTTP
 * listener (web UI, Connect) runs only when `httpListen` is given (the command's default,
 * 127.0.0.1:4040, comes from its options).
 */
export async function startQueryApi(partial: Partial<QueryApiConfig> = {}, options: StartOptions = {}): Promise<QueryApi> {
  const config = withDefaults(partial);
  const log = (options.logger ?? createLogger({ name: "query-api" })).child({ module: "query-api" });
  const credentials = credentialsFor(config);
  const { store, owned } = await openReadTarget(config, options);
  const token = config.token === undefined || config.token === "" ? undefined : config.token;
  const limits = {
    maxRangeMs: config.maxRange,
    maxNodes: config.maxNodes,
    defaultNodes: config.defaultNodes,
    maxStacks: config.maxStacks,
    deadlineMs: config.deadline,
    maxQueryMemoryBytes: config.maxQueryMemoryMib * 1024 * 1024,
  };
  // Shared by every transport: each call of QueryService takes a slot here.
  const admissions = createAdmissions(config);
  const calls = createCallHooks({ token, deadlineMs: limits.deadlineMs, log });

  const server = new Server({ "grpc.max_send_message_length": 256 * 1024 * 1024 });
  const link = new NatsLink(config.natsUrl, log.child({ module: "nats" }), config);
  const close = async (): Promise<void> => {
    await link.close();
    await owned?.close();
  };
  const dumpCaps = { maxHosts: config.dumpMaxHosts, maxProcessesPerHost: config.dumpMaxProcessesPerHost };
  const queryService = createQueryService({ store, limits, admissions, link, dumpTimeoutMs: config.dumpTimeout, dumpCaps });
  const capture = createCaptureService({ store, link, limits, admissions, maxDurationMs: config.captureMaxDuration, maxRateHz: config.captureMaxRate });
  const captureExtraMs = (): number => config.captureMaxDuration + CAPTURE_STORE_WAIT_MS;
  const health = addGrpcServices(server, { queryService, capture, calls, captureExtraMs });

  const bindAddress = config.host.includes(":") ? `[${config.host}]:${String(config.port)}` : `${config.host}:${String(config.port)}`;
  const port = await bindGrpc(server, bindAddress, credentials).catch(async (err: unknown) => {
    await close();
    throw err;
  });
  const httpListen = partial.httpListen ?? "";
  const tls =
    config.tlsCert === undefined || config.tlsKey === undefined ? undefined : { cert: readFileSync(config.tlsCert), key: readFileSync(config.tlsKey) };
  const routes = connectRoutes(QueryService, queryService, capture, calls.hooks, captureExtraMs);
  const http =
    httpListen === ""
      ? undefined
      : await startHttpServer({
          listen: httpListen,
          routes,
          uiDir: UI_DIR,
          inlineFlame: inlineFlameStarter(queryService, calls.hooks),
          allowOrigins: config.httpAllowOrigins,
          tls,
          log,
        }).catch(async (err: unknown) => {
          server.forceShutdown();
          await close();
          throw err;
        });
  const address = `${config.host === "0.0.0.0" || config.host === "::" ? "127.0.0.1" : config.host}:${String(port)}`;
  log.info({ address, tls: config.tlsCert !== undefined, auth: token !== undefined, nats: config.natsUrl !== undefined }, "query API listening");
  const stop = stopper({ server, health, http, running: calls.running, close, graceMs: config.shutdownGrace, log });
  return { port, address, httpUrl: http?.url, stop };
}
