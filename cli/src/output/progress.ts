/**
 * Progress for anything slower than a second: a spinner with the elapsed time on stderr,
 * only when stderr is a terminal (scripts and pipes see nothing), erased when done.
 */
import type { Io } from "../io.js";

const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

export async function withProgress<T>(io: Io, label: string, work: Promise<T>, delayMs = 1000): Promise<T> {
  if (io.stderr.isTTY !== true) return work;
  const started = Date.now();
  let frame = 0;
  let shown = false;
  let interval: NodeJS.Timeout | undefined;
  const timer = setTimeout(() => {
    shown = true;
    const tick = (): void => {
      const secs = ((Date.now() - started) / 1000).toFixed(1);
      io.stderr.write(`\r\u001b[2K${FRAMES[frame++ % FRAMES.length] ?? ""} ${label} ${secs}s`);
    };
    tick();
    interval = setInterval(tick, 100);
  }, delayMs);
  try {
    return await work;
  } finally {
    clearTimeout(timer);
    if (interval !== undefined) clearInterval(interval);
    if (shown) io.stderr.write("\r\u001b[2K");
  }
}
