#!/usr/bin/env node
/** The `fleetprof` executable. */
import { errorMessage } from "@fleetprof/common";
import { main } from "./main.js";

// Deprecation warnings speak to developers, not to people running the command (grpc-js
// triggers one when a TLS address is an IP); they would break "one line per error".
process.noDeprecation = true;

// Exit explicitly: a component that failed half-way through `up` may leave a handle open.
// stdout and stderr are synchronous for files, pipes and terminals on Linux, so nothing is lost.
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`fleetprof: ${errorMessage(err)}\n`);
    process.exit(1);
  },
);
