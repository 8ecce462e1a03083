export { CHROMIUM, launchBrowser, RESULTS_DIR, screenshot } from "./browser.js";
export { openChdb, rows, type EmbeddedClickHouse } from "./clickhouse.js";
export { natsServerVersion, startNats, type NatsOptions, type NatsServer } from "./nats.js";
export { freePort } from "./ports.js";
export { findTaggedProcesses, killAllTracked, spawnTracked, TEST_CHILD_ENV, TEST_RUN_ENV, type Tracked } from "./processes.js";
export { pySpyPath, pythonExecutable, startWorkload, WORKLOADS_DIR, type Workload, type WorkloadOptions } from "./python.js";
export { removeTempDirs, tempDir } from "./tmp.js";
export { errorOf, waitUntil } from "./wait.js";
