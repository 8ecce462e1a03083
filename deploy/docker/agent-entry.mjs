// The agent image's entry point: the agent package alone, without the `fleetprof` command
// (whose other subcommands would pull in gRPC and chDB). Flags pass straight through.
import { runAgent } from "@fleetprof/agent";

const code = await runAgent(process.argv.slice(2));
process.exitCode = typeof code === "number" ? code : 0;
