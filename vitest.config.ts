import { defineConfig } from "vitest/config";

const conditions = ["@fleetprof/source", "node", "import", "module", "default"];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ["@fleetprof/source"] } },
  test: {
    pool: "forks",
    globalSetup: ["./test/harness/global-setup.ts"],
    reporters: ["default", "./test/harness/summary-reporter.ts"],
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          sequence: { groupOrder: 0 },
          include: ["*/src/**/*.test.ts"],
        },
      },
      {
        extends: true,
        test: {
          name: "integration",
          sequence: { groupOrder: 1 },
          include: ["*/test/**/*.test.ts", "test/harness/**/*.test.ts", "test/e2e/**/*.test.ts", "test/hostile/**/*.test.ts"],
          setupFiles: ["./test/harness/setup-file.ts"],
          testTimeout: 120_000,
          hookTimeout: 60_000,
          // Real servers and py-spy share 2 cores: keep files from starving each other.
          maxWorkers: 2,
          fileParallelism: true,
        },
      },
    ],
  },
});
