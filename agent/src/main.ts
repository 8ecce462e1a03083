/** Runs the agent as a standalone process: `node agent/dist/main.js [options]`. */
import { runAgent } from "./run-agent.js";

process.exitCode = await runAgent(process.argv.slice(2));
