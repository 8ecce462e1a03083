// Preloaded with `node --import` by a test: at exit, prints the shared objects (native addons
// included) the process had loaded, so a test can tell whether a command loaded chDB.
process.on("exit", () => {
  process.stderr.write(`shared-objects ${JSON.stringify(process.report.getReport().sharedObjects)}\n`);
});
