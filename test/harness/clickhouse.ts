/**
 * A fresh embedded ClickHouse (chDB) in a temp dir, reached through @clickhouse/client exactly
 * as production code reaches it. chDB allows one data path per process: close one before
 * opening the next (test files run in separate processes).
 */
import { createClient, type ClickHouseClient } from "@clickhouse/client";
import { createChdbConnection } from "chdb/connection";
import { tempDir } from "./tmp.js";

export interface EmbeddedClickHouse {
  client: ClickHouseClient;
  /** The data directory. */
  path: string;
  /** `chdb://<path>`, the URL fleetprof components take. */
  url: string;
  close: () => Promise<void>;
}

export function openChdb(path = tempDir("fleetprof-chdb-")): EmbeddedClickHouse {
  // chdb types its Connection against @clickhouse/client-common, which @clickhouse/client 1.23
  // bundles under its own path: the same interface declared twice, hence the cast.
  const connection = createChdbConnection({ path }) as unknown as NonNullable<NonNullable<Parameters<typeof createClient>[0]>["connection"]>;
  const client = createClient({ connection });
  return { client, path, url: `chdb://${path}`, close: () => client.close() };
}

/** Runs a query and returns its rows as objects. */
export async function rows<T = Record<string, unknown>>(client: ClickHouseClient, query: string, params: Record<string, unknown> = {}): Promise<T[]> {
  const rs = await client.query({ query, format: "JSONEachRow", query_params: params });
  return rs.json<T>();
}
