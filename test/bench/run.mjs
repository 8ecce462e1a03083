#!/usr/bin/env node
// Runs every benchmark the packages define (`<package>/bench/*.bench.ts`), one after another
// (they measure the machine; running two at once would measure each other). Each benchmark
// prints its own figures and their ratio to a floor measured in the same run.
// `npm run bench -- <filter>` runs only the benchmarks whose path contains <filter>.
import { spawnSync } from "node:child_process";
import { readdirSync, existsSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const filter = process.argv[2] ?? "";
const benches = [];
for (const pkg of readdirSync(root)) {
  const dir = join(root, pkg, "bench");
  if (pkg === "node_modules" || !existsSync(dir)) continue;
  for (const f of readdirSync(dir).sort()) if (f.endsWith(".bench.ts") && join(pkg, f).includes(filter)) benches.push(join(pkg, "bench", f));
}
if (benches.length === 0) {
  console.log("benchmark | figure | floor | ratio\n(no benchmarks defined yet)");
  process.exit(0);
}
let failed = 0;
for (const b of benches) {
  console.log(`\n=== ${b}`);
  const r = spawnSync(process.execPath, ["--conditions=@fleetprof/source", "--import", "tsx", join(root, b)], { stdio: "inherit", cwd: root });
  if (r.status !== 0) {
    failed++;
    console.log(`${b} failed (exit ${r.status ?? r.signal})`);
  }
}
process.exit(failed === 0 ? 0 : 1);
