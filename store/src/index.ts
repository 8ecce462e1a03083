export { openStore, type OpenStoreOptions, type Store, type StoreFaults } from "./store.js";
export { storeConnectionOptions, storeOptions, type StoreConfig } from "./options.js";
export { DEFAULT_CLICKHOUSE_URL, parseStoreUrl, redactUrl, type StoreTarget } from "./url.js";
export { createClickHouseClient } from "./client.js";
export { schemaDdl, type DdlOptions } from "./schema/ddl.js";
export { clusterSchemaDdl, type ClusterDdlOptions } from "./schema/cluster-ddl.js";
export { applyMigrations, MIGRATIONS, type Migration, type MigrationOptions } from "./schema/migrations.js";
export { ttlFromMs } from "./schema/identifiers.js";
export type { TtlConfig } from "./schema/tables.js";
export { hashBytes, hashFrame, hashStack, hashString, hashStringToBigInt, u64String } from "./write/hash.js";
export type { PreparedWrite, WriteBuilder } from "./write/writer.js";
export { clickHouseFailureOf, permanentWriteError, type ClickHouseFailure } from "./write/write-error.js";
export { RowBinaryWriter } from "./write/rowbinary.js";
export {
  isFrameTable,
  stacksFromList,
  type BatchInput,
  type FrameInput,
  type FrameTable,
  type ProfileInput,
  type StackInput,
  type StacksInput,
  type StringTable,
  type WriteOptions,
  type WriteResult,
} from "./write/types.js";

// Read API (query SQL) lives in ./read/ and is owned by the query API's needs.
export * from "./read/index.js";
