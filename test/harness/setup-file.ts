/** Runs in every integration test file: tears down what the file started, even when it failed. */
import { afterAll } from "vitest";
import { killAllTracked, TEST_CHILD_ENV, TEST_RUN_ENV } from "./processes.js";
import { removeTempDirs } from "./tmp.js";

process.env[TEST_CHILD_ENV] = process.env[TEST_RUN_ENV] ?? "local";

afterAll(async () => {
  await killAllTracked();
  removeTempDirs();
});
