/** `fleetprof query-api`: the server as a process, until SIGINT or SIGTERM. */
import { createLogger, describeOptions, FleetprofError, loadConfig, onShutdown } from "@fleetprof/common";
import { queryApiOptions } from "./options.js";
import { startQueryApi } from "./server.js";

const HELP = `fleetprof query-api — the gRPC query API (flame graphs, diffs, top functions, time series, exports)

Options (flag, environment variable, or key in the --config JSON file):
${describeOptions(queryApiOptions)}`;

/** Runs until SIGINT/SIGTERM; resolves with the exit code (2 for a bad configuration). */
export async function runQueryApi(argv: string[]): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const logger = createLogger({ name: "query-api" });
  let api;
  try {
    const { config } = loadConfig(queryApiOptions, { argv });
    api = await startQueryApi(config, { logger });
  } catch (err) {
    const e = FleetprofError.from(err);
    logger.error({ err: e, code: e.code }, e.message);
    process.stderr.write(`fleetprof query-api: ${e.message}\n`);
    return 2;
  }
  const started = api;
  return new Promise<number>((resolve) => {
    onShutdown(async (signal) => {
      logger.info({ signal }, "stopping");
      await started.stop();
      resolve(0);
    });
  });
}
