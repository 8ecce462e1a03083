/** Runs `fleetprof` in this process against a real query API: its exit code and what it printed. */
import { connectQueryApi } from "../src/client/connect.js";
import type { Io } from "../src/io.js";
import { main } from "../src/main.js";

export async function runCli(argv: string[], options: { env: Record<string, string>; cwd: string }): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const io: Io = {
    stdout: { write: (s: string | Uint8Array) => (out += String(s)) },
    stderr: { write: (s: string | Uint8Array) => (err += String(s)) },
    env: options.env,
    cwd: options.cwd,
    now: () => Date.now(),
  };
  const code = await main(argv, { io, connect: connectQueryApi });
  return { code, out, err };
}
