/**
 * `fleetprof agent`: configuration from flags, environment and file, then the agent until
 * SIGINT/SIGTERM. Returns the process exit code (2 for bad configuration).
 */
import { createLogger, describeOptions, ErrorCode, errorMessage, isFleetprofError, loadConfig, onShutdown } from "@fleetprof/common";
import { startAgent } from "./agent.js";
import { agentOptions } from "./options.js";

export const AGENT_USAGE = `usage: fleetprof agent [options]

Finds the Python processes on this host, samples each with py-spy, and publishes the samples
to NATS JetStream. Every option is also an environment variable and a config-file key.

${describeOptions(agentOptions)}`;

export async function runAgent(argv: string[]): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(`${AGENT_USAGE}\n`);
    return 0;
  }
  let config;
  try {
    const loaded = loadConfig(agentOptions, { argv });
    if (loaded.positionals.length > 0) {
      process.stderr.write(`fleetprof agent: unexpected argument ${loaded.positionals[0] ?? ""} (see --help)\n`);
      return 2;
    }
    config = loaded.config;
  } catch (err) {
    process.stderr.write(`fleetprof agent: ${errorMessage(err)}\n`);
    return 2;
  }
  const logger = createLogger({ name: "fleetprof-agent" });
  let agent;
  try {
    agent = await startAgent(config, logger);
  } catch (err) {
    if (isFleetprofError(err, ErrorCode.InvalidConfig)) {
      process.stderr.write(`fleetprof agent: ${err.message}\n`);
      return 2;
    }
    logger.error({ err }, errorMessage(err));
    await new Promise<void>((done) => logger.flush(() => done()));
    return isFleetprofError(err) ? 2 : 1;
  }
  return new Promise<number>((resolve) => {
    onShutdown(async (signal) => {
      logger.info({ signal }, "stopping: flushing the current windows");
      await agent.stop();
      // Written before the process exits (the destination is asynchronous).
      await new Promise<void>((done) => logger.flush(() => done()));
      resolve(0);
    }, 8000);
  });
}
