/** A @clickhouse/client for a store URL: chDB plugged in as the connection, or HTTP. */
import { createClient, type ClickHouseClient } from "@clickhouse/client";
import { createChdbConnection } from "chdb/connection";
import type { StoreTarget } from "./url.js";

type ConnectionOption = NonNullable<NonNullable<Parameters<typeof createClient>[0]>["connection"]>;

export function createClickHouseClient(target: StoreTarget, options: { requestTimeoutMs?: number } = {}): ClickHouseClient {
  if (target.kind === "chdb") {
    // chdb types its Connection against @clickhouse/client-common, which @clickhouse/client
    // bundles under its own path: the same interface declared twice, hence the cast.
    const connection = createChdbConnection({ path: target.path }) as unknown as ConnectionOption;
    return createClient({ connection });
  }
  return createClient({
    url: target.url,
    username: target.username,
    password: target.password,
    request_timeout: options.requestTimeoutMs ?? 60_000,
    compression: { request: true, response: true },
    clickhouse_settings: { date_time_input_format: "best_effort" },
  });
}
