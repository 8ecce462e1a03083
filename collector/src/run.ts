/** `fleetprof collector …`: runs a collector until SIGINT/SIGTERM. */
import { createLogger, describeOptions, errorMessage, isFleetprofError, loadConfig, onShutdown } from "@fleetprof/common";
import { startCollector } from "./collector.js";
import { collectorOptions } from "./options.js";

export const COLLECTOR_USAGE = `fleetprof collector [options]

Consumes sample batches from NATS JetStream and writes them into ClickHouse.

Options:
${describeOptions(collectorOptions)}`;

/** Runs until a shutdown signal; resolves with the process exit code. */
export async function runCollector(argv: string[]): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(COLLECTOR_USAGE + "\n");
    return 0;
  }
  const logger = createLogger({ name: "collector" });
  let config;
  try {
    config = loadConfig(collectorOptions, { argv }).config;
  } catch (err) {
    process.stderr.write(`${errorMessage(err)}\n`);
    return 2;
  }
  try {
    const collector = await startCollector(config, { logger });
    return await new Promise<number>((resolve) => {
      onShutdown(async (signal) => {
        logger.info({ signal }, "shutting down");
        await collector.stop();
        resolve(0);
      });
    });
  } catch (err) {
    logger.error({ err, code: isFleetprofError(err) ? err.code : undefined }, `collector failed to start: ${errorMessage(err)}`);
    return 1;
  }
}
