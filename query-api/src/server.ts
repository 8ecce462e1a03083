/**
 * The gRPC server: fleetprof.v1.QueryService, grpc.health.v1.Health and server reflection
 * (v1 and v1alpha) on one port, optional TLS and bearer-token auth, a deadline per call that
 * also stops its ClickHouse query, and a clean stop.
 */
import { readFileSync } from "node:fs";
import { timingSafeEqual } from "node:crypto";
import { Server, ServerCredentials, type ServerDuplexStream, type UntypedServiceImplementation } from "@grpc/grpc-js";
import { createLogger, ErrorCode, errorMessage, FleetprofError, type Logger } from "@fleetprof/common";
import { file_fleetprof_v1_query, grpcHealthV1, grpcReflectionV1, grpcReflectionV1alpha, QueryService } from "@fleetprof/proto";
import { openStore, type ReadTarget, type Store } from "@fleetprof/store";
import { UI_DIR } from "@fleetprof/web";
import { connectRoutes } from "./connect/routes.js";
import { startHttpServer } from "./connect/http-server.js";
import { serverStreamingHandlers, serviceDefinition, unaryHandlers, type CallContext, type CallHooks, type ServerCall } from "./grpc/adapter.js";
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

function tokenMatches(header: unknown, token: string): boolean {
  if (typeof header !== "string") return false;
  const m = /^Bearer\s+(.+)$/i.exec(header.trim());
  if (m === null) return false;
  const a = Buffer.from(m[1] as string);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
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

/**
 * Starts the query API. `config` may be partial: defaults fill the rest, except that the HTTP
 * listener (web UI, Connect) runs only when `httpListen` is given (the command's default,
 * 127.0.0.1:4040, comes from its options).
 */
export async function startQueryApi(partial: Partial<QueryApiConfig> = {}, options: StartOptions = {}): Promise<QueryApi> {
  const config = withDefaults(partial);
  const log = (options.logger ?? createLogger({ name: "query-api" })).child({ module: "query-api" });
  const credentials = credentialsFor(config);
  let ownedStore: Store | undefined;
  let store: ReadTarget;
  if (options.store !== undefined) {
    store = options.store;
  } else {
    // A reader: the collector owns the schema and its TTLs.
    ownedStore = await openStore(config.clickhouseUrl, {
      database: config.clickhouseDatabase,
      cluster: config.clickhouseCluster,
      migrate: false,
      schemaWaitMs: config.schemaWait,
      logger: options.logger,
    });
    store = ownedStore;
  }
  const token = config.token === undefined || config.token === "" ? undefined : config.token;
  const limits = { maxRangeMs: config.maxRange, maxNodes: config.maxNodes, defaultNodes: config.defaultNodes, maxStacks: config.maxStacks, deadlineMs: config.deadline, maxQueryMemoryBytes: config.maxQueryMemoryMib * 1024 * 1024 };
  // Shared by every transport: each call of QueryService takes a slot here.
  const admissions = createAdmissions(config);

  // Every running call's abort controller, so a forced stop cancels their queries.
  const running = new Set<AbortController>();
  const authorize = (context: Pick<CallContext, "metadata">): void => {
    if (token !== undefined && !tokenMatches(context.metadata.get("authorization")[0], token)) {
      throw new FleetprofError(ErrorCode.Unauthenticated, "this server needs a bearer token: send `authorization: Bearer <token>` (fleetprof --token, grpcurl -H)");
    }
  };
  const hooks: CallHooks = {
    open(call: ServerCall, method: string, extraMs = 0) {
      const controller = new AbortController();
      running.add(controller);
      const clientDeadline = call.getDeadline();
      const clientMs = clientDeadline instanceof Date ? clientDeadline.getTime() : clientDeadline;
      const capMs = limits.deadlineMs + extraMs;
      const deadline = Math.min(Number.isFinite(clientMs) ? clientMs : Infinity, Date.now() + capMs);
      const timer = setTimeout(() => {
        controller.abort(new FleetprofError(ErrorCode.DeadlineExceeded, `the call ran past its deadline (at most ${String(capMs)}ms on this server, option deadline)`));
      }, Math.max(0, deadline - Date.now()));
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
    },
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

  const served = [QueryService.typeName, grpcHealthV1.Health.typeName, grpcReflectionV1.ServerReflection.typeName, grpcReflectionV1alpha.ServerReflection.typeName];
  const health = new HealthService([QueryService.typeName]);
  const reflection = new ReflectionService(
    [file_fleetprof_v1_query, grpcHealthV1.file_grpc_health_v1_health, grpcReflectionV1.file_grpc_reflection_v1_reflection, grpcReflectionV1alpha.file_grpc_reflection_v1alpha_reflection],
    served,
  );
  /** Reflection calls need the token too (grpcurl -H sends it with reflection requests). */
  const guarded = (impl: UntypedServiceImplementation): UntypedServiceImplementation => ({
    serverReflectionInfo: (call: ServerDuplexStream<unknown, unknown>) => {
      try {
        authorize({ metadata: call.metadata });
      } catch (err) {
        call.emit("error", toStatus(err));
        return;
      }
      (impl["serverReflectionInfo"] as (c: ServerDuplexStream<unknown, unknown>) => void)(call);
    },
  });

  const server = new Server({ "grpc.max_send_message_length": 256 * 1024 * 1024 });
  const link = new NatsLink(config.natsUrl, log.child({ module: "nats" }), config);
  const dumpCaps = { maxHosts: config.dumpMaxHosts, maxProcessesPerHost: config.dumpMaxProcessesPerHost };
  const queryService = createQueryService({ store, limits, admissions, link, dumpTimeoutMs: config.dumpTimeout, dumpCaps });
  const capture = createCaptureService({ store, link, limits, admissions, maxDurationMs: config.captureMaxDuration, maxRateHz: config.captureMaxRate });
  const captureExtraMs = (): number => config.captureMaxDuration + CAPTURE_STORE_WAIT_MS;
  server.addService(serviceDefinition(QueryService), {
    ...unaryHandlers(QueryService, queryService, hooks),
    // A capture call lasts its duration on top of the usual query time.
    ...serverStreamingHandlers(QueryService, capture, hooks, captureExtraMs),
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

  const bindAddress = config.host.includes(":") ? `[${config.host}]:${String(config.port)}` : `${config.host}:${String(config.port)}`;
  let port: number;
  try {
    port = await new Promise<number>((resolve, reject) => {
      server.bindAsync(bindAddress, credentials, (err, p) => (err === null ? resolve(p) : reject(err)));
    });
  } catch (err) {
    await link.close();
    await ownedStore?.close();
    throw new FleetprofError(ErrorCode.Unavailable, `cannot listen on ${bindAddress}: ${errorMessage(err)} (is another process using the port? choose one with --port)`, { cause: err });
  }
  const httpListen = partial.httpListen ?? "";
  const tls = config.tlsCert === undefined || config.tlsKey === undefined ? undefined : { cert: readFileSync(config.tlsCert), key: readFileSync(config.tlsKey) };
  const routes = connectRoutes(QueryService, queryService, capture, hooks, captureExtraMs);
  const http = httpListen === "" ? undefined : await startHttpServer({ listen: httpListen, routes, uiDir: UI_DIR, allowOrigins: config.httpAllowOrigins, tls, log }).catch(async (err: unknown) => {
    server.forceShutdown();
    await link.close();
    await ownedStore?.close();
    throw err;
  });
  const address = `${config.host === "0.0.0.0" || config.host === "::" ? "127.0.0.1" : config.host}:${String(port)}`;
  log.info({ address, tls: config.tlsCert !== undefined, auth: token !== undefined, nats: config.natsUrl !== undefined }, "query API listening");

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      health.setAll(false);
      health.endWatches();
      const httpStopped = http?.stop(config.shutdownGrace);
      await new Promise<void>((resolve) => {
        const force = setTimeout(() => {
          log.warn({ calls: running.size }, "shutdown grace over: cancelling running calls");
          for (const c of running) c.abort(new FleetprofError(ErrorCode.Unavailable, "the server is shutting down"));
          server.forceShutdown();
          resolve();
        }, config.shutdownGrace);
        force.unref();
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      });
      await httpStopped;
      await link.close();
      await ownedStore?.close();
      log.info("query API stopped");
    })();
    return stopping;
  };
  return { port, address, httpUrl: http?.url, stop };
}
