/**
 * Workaround, until the store's read path does it itself: chDB applies a query's settings to
 * its one session for good, so the `readonly` setting that store/src/read/run.ts puts on
 * every read turns the embedded ClickHouse read-only, and the collector's next insert fails
 * (Code 164, READONLY). `fleetprof up` therefore hands the query API a read target whose
 * queries go out without `readonly`. Remove once the store skips it for chdb:// targets.
 */
import type { Store } from "@fleetprof/store";

type ClickHouseClient = Store["client"];

export interface ReadTargetLike {
  client: ClickHouseClient;
  db: string;
}

export function withoutReadonly<T extends ReadTargetLike>(target: T): ReadTargetLike {
  const client = target.client;
  const query: ClickHouseClient["query"] = ((params: Parameters<ClickHouseClient["query"]>[0]) => {
    const settings = { ...(params.clickhouse_settings ?? {}) };
    delete settings.readonly;
    return client.query({ ...params, clickhouse_settings: settings });
  });
  const proxied = new Proxy(client, {
    get(obj, prop, receiver) {
      if (prop === "query") return query;
      const value: unknown = Reflect.get(obj, prop, receiver);
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(obj) : value;
    },
  });
  return { client: proxied, db: target.db };
}
