// A collector as its own process (the kill -9 test runs it as a child): `fleetprof collector` in miniature.
import { runCollector } from "@fleetprof/collector";

process.exitCode = await runCollector(process.argv.slice(2));
