/**
 * Clean exits: on the first SIGINT/SIGTERM run the handlers (in reverse order of
 * registration) within a deadline, then exit; a second signal exits at once.
 */
import { errorMessage } from "./async.js";

type Handler = (signal: string) => Promise<void> | void;

const handlers: Handler[] = [];
let installed = false;
let stopping = false;

export function onShutdown(handler: Handler, deadlineMs = 10_000): void {
  handlers.push(handler);
  if (installed) return;
  installed = true;
  const run = (signal: NodeJS.Signals): void => {
    if (stopping) {
      process.exit(130);
    }
    stopping = true;
    const timer = setTimeout(() => process.exit(1), deadlineMs);
    timer.unref();
    void (async () => {
      let code = 0;
      for (const h of [...handlers].reverse()) {
        try {
          await h(signal);
        } catch (err) {
          code = 1;
          process.stderr.write(`shutdown: ${errorMessage(err)}\n`);
        }
      }
      process.exit(code);
    })();
  };
  process.on("SIGINT", run);
  process.on("SIGTERM", run);
}
