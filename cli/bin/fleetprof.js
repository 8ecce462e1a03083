#!/usr/bin/env node
// The installed `fleetprof` command. npm links a bin only to a file that exists at install
// time, and dist/ is built after `npm ci`, so this small file runs the built CLI.
import { existsSync } from "node:fs";

const built = new URL("../dist/bin.js", import.meta.url);
if (!existsSync(built)) {
  process.stderr.write("fleetprof is not built yet: run `npm run build` (or `npm start`) in the repository first\n");
  process.exit(1);
}
await import(built.href);
