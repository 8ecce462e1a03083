import { configDefaults, defineConfig } from "vitest/config";

const conditions = ["@fleetprof/source", "node", "import", "module", "default"];

// Both start `fleetprof up --demo`, whose agent profiles every process running the demo's script
// on this machine: run side by side, each stack sees the other's demo (4 processes where the
// tests expect 2). They run after the other integration files, one after the other.
const DEMO_STACKS = ["test/e2e/up-demo.test.ts", "test/e2e/web-ui.test.ts"];

const integration = {
  setupFiles: ["./test/harness/setup-file.ts"],
  testTimeout: 120_000,
  hookTimeout: 60_000,
};

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
          exclude: [...configDefaults.exclude, ...DEMO_STACKS],
          ...integration,
          // Real servers and py-spy share 2 cores: keep files from starving each other.
          maxWorkers: 2,
          fileParallelism: true,
        },
      },
      {
        extends: true,
        test: {
          name: "demo-stacks",
          sequence: { groupOrder: 2 },
          include: DEMO_STACKS,
          ...integration,
          maxWorkers: 1,
          fileParallelism: false,
        },
      },
    ],
  },
});
