/**
 * Typed grpc-js clients from generated service descriptors: one promise-returning method per
 * unary RPC, taking a message init object (`{ selector, range: { startUnixMs } }`) and returning
 * the decoded response. Failed calls reject with a FleetprofError (see status.ts).
 */
import { readFileSync } from "node:fs";
import { create, fromBinary, toBinary, type DescMessage, type MessageInitShape, type MessageShape } from "@bufbuild/protobuf";
import type { GenService, GenServiceMethods } from "@bufbuild/protobuf/codegenv2";
import {
  Client,
  credentials,
  Metadata,
  type CallOptions as GrpcCallOptions,
  type ChannelCredentials,
  type ClientOptions,
  type ServiceError,
} from "@grpc/grpc-js";
import { QueryService } from "@fleetprof/proto";
import { methodPath } from "./adapter.js";
import { decodeFlameGraphResponse } from "./flame-graph-decode.js";
import { fromServiceError } from "./status.js";

export interface ClientTlsOptions {
  /** PEM of the CA that signed the server certificate (default: the system roots). */
  ca?: string | Buffer;
  /** Path to that PEM instead. */
  caFile?: string;
  /** Expected server name when it differs from the address's host. */
  serverName?: string;
}

export interface QueryClientOptions {
  /** TLS: `true` for system roots, or a CA; default plaintext. */
  tls?: boolean | ClientTlsOptions | undefined;
  /** Bearer token sent as `authorization: Bearer <token>`. */
  token?: string | undefined;
  /** Deadline of each call unless the call sets its own, ms. Default 60 s. */
  deadlineMs?: number | undefined;
  /** Same as {@link deadlineMs} (the name the CLI's connection options use). */
  timeoutMs?: number | undefined;
  /** Extra grpc-js channel options. */
  channelOptions?: ClientOptions | undefined;
}

export interface CallOptions {
  deadlineMs?: number;
  signal?: AbortSignal;
}

export type ServiceClient<M extends GenServiceMethods> = {
  [K in keyof M as M[K]["methodKind"] extends "unary" ? K : never]: (
    request: MessageInitShape<M[K]["input"]>,
    options?: CallOptions,
  ) => Promise<MessageShape<M[K]["output"]>>;
} & {
  [K in keyof M as M[K]["methodKind"] extends "server_streaming" ? K : never]: (
    request: MessageInitShape<M[K]["input"]>,
    options?: CallOptions,
  ) => AsyncIterable<MessageShape<M[K]["output"]>>;
} & {
  /** Resolves once connected (rejects after `deadlineMs`). */
  waitForReady(deadlineMs?: number): Promise<void>;
  close(): void;
};

function channelCredentials(tls: QueryClientOptions["tls"]): ChannelCredentials {
  if (tls === undefined || tls === false) return credentials.createInsecure();
  if (tls === true) return credentials.createSsl();
  const ca = tls.ca ?? (tls.caFile === undefined ? undefined : readFileSync(tls.caFile));
  return credentials.createSsl(ca === undefined ? null : Buffer.from(ca));
}

export function createServiceClient<M extends GenServiceMethods>(service: GenService<M>, address: string, options: QueryClientOptions = {}): ServiceClient<M> {
  const tlsServerName = typeof options.tls === "object" ? options.tls.serverName : undefined;
  const client = new Client(address, channelCredentials(options.tls), {
    ...(tlsServerName === undefined ? {} : { "grpc.ssl_target_name_override": tlsServerName, "grpc.default_authority": tlsServerName }),
    ...options.channelOptions,
  });
  const out: Record<string, unknown> = {
    waitForReady: (deadlineMs = 10_000) =>
      new Promise<void>((resolve, reject) => {
        client.waitForReady(Date.now() + deadlineMs, (err) => (err === undefined ? resolve() : reject(fromServiceError(err))));
      }),
    close: () => client.close(),
  };
  const metadataFor = (): Metadata => {
    const metadata = new Metadata();
    if (options.token !== undefined && options.token !== "") metadata.set("authorization", `Bearer ${options.token}`);
    return metadata;
  };
  for (const m of service.methods) {
    if (m.methodKind === "server_streaming") {
      const path = methodPath(service, m);
      out[m.localName] = (request: MessageInitShape<DescMessage>, call: CallOptions = {}) =>
        (async function* () {
          const stream = client.makeServerStreamRequest(
            path,
            (v: MessageShape<DescMessage>) => Buffer.from(toBinary(m.input, v)),
            (b: Buffer) => fromBinary(m.output, b),
            create(m.input, request),
            metadataFor(),
            { deadline: Date.now() + (call.deadlineMs ?? options.deadlineMs ?? options.timeoutMs ?? 60_000) },
          );
          const onAbort = (): void => stream.cancel();
          if (call.signal?.aborted === true) stream.cancel();
          else call.signal?.addEventListener("abort", onAbort, { once: true });
          try {
            for await (const value of stream) yield value as MessageShape<DescMessage>;
          } catch (err) {
            throw fromServiceError(err as ServiceError);
          } finally {
            call.signal?.removeEventListener("abort", onAbort);
            stream.cancel();
          }
        })();
      continue;
    }
    if (m.methodKind !== "unary") continue;
    const path = methodPath(service, m);
    out[m.localName] = (request: MessageInitShape<DescMessage>, call: CallOptions = {}) =>
      new Promise((resolve, reject) => {
        const metadata = metadataFor();
        const grpcOptions: GrpcCallOptions = { deadline: Date.now() + (call.deadlineMs ?? options.deadlineMs ?? options.timeoutMs ?? 60_000) };
        const pending = client.makeUnaryRequest(
          path,
          (v: MessageShape<DescMessage>) => Buffer.from(toBinary(m.input, v)),
          (b: Buffer) => decodeFlameGraphResponse(m.output, b),
          create(m.input, request),
          metadata,
          grpcOptions,
          (err, value) => {
            call.signal?.removeEventListener("abort", onAbort);
            if (err !== null) reject(fromServiceError(err));
            else resolve(value);
          },
        );
        const onAbort = (): void => pending.cancel();
        if (call.signal?.aborted === true) pending.cancel();
        else call.signal?.addEventListener("abort", onAbort, { once: true });
      });
  }
  return out as ServiceClient<M>;
}

export type QueryClient = ServiceClient<typeof QueryService extends GenService<infer M> ? M : never>;

/** A client of the query API at `host:port` (what the CLI uses). */
export function createQueryClient(address: string, options: QueryClientOptions = {}): QueryClient {
  return createServiceClient(QueryService, address, options);
}
