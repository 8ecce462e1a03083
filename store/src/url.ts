/**
 * One URL chooses the ClickHouse: `chdb:///abs/path` (embedded chDB, the default
 * `chdb://./.fleetprof/data` style relative paths are resolved against the working directory)
 * or `http(s)://user:pass@host:8123/db` (a ClickHouse server).
 */
import { resolve } from "node:path";
import { ErrorCode, FleetprofError } from "@fleetprof/common";

export type StoreTarget =
  | { kind: "chdb"; /** Absolute data directory. */ path: string }
  | {
      kind: "http";
      /** `http(s)://host:port` without credentials or path. */
      url: string;
      username: string;
      password: string;
      /** Database named in the URL path, if any. */
      database: string | undefined;
    };

/** The default store: an embedded ClickHouse under the working directory. */
export const DEFAULT_CLICKHOUSE_URL = "chdb://./.fleetprof/data";

export function parseStoreUrl(url: string): StoreTarget {
  const bad = (why: string): FleetprofError =>
    new FleetprofError(
      ErrorCode.InvalidConfig,
      `clickhouse-url ${redactUrl(url)} ${why} (use chdb:///abs/path for embedded ClickHouse or http(s)://user:pass@host:8123/db for a server)`,
    );
  if (url.startsWith("chdb://")) {
    const rest = url.slice("chdb://".length);
    if (rest === "" || rest === "/") throw bad("names no data directory");
    if (rest.includes("?") || rest.includes("#")) throw bad("must not carry a query or fragment");
    return { kind: "chdb", path: resolve(decodeURIComponent(rest)) };
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw bad("is not a URL");
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw bad(`has unsupported scheme ${parsed.protocol}`);
  const db = decodeURIComponent(parsed.pathname.replace(/^\/+|\/+$/g, ""));
  if (db.includes("/")) throw bad("path must be a single database name");
  return {
    kind: "http",
    url: `${parsed.protocol}//${parsed.host}`,
    username: decodeURIComponent(parsed.username) || "default",
    password: decodeURIComponent(parsed.password),
    database: db === "" ? undefined : db,
  };
}

/** The URL with any password replaced, for logs and error messages. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:/@]*):[^@/]*@/, "//$1:***@");
}
