/**
 * A real nats-server with JetStream on a free loopback port in a temp dir. `stop()` and
 * `start()` let a test take the server away and bring it back on the same port and store.
 */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { freePort } from "./ports.js";
import { spawnTracked, type Tracked } from "./processes.js";
import { tempDir } from "./tmp.js";

export interface NatsServer {
  url: string;
  port: number;
  /** JetStream store directory. */
  dir: string;
  /** Server version, e.g. "2.9.10". */
  version: string;
  /** Graceful stop (SIGTERM). */
  stop: () => Promise<void>;
  /** kill -9. */
  kill: () => Promise<void>;
  /** Starts again on the same port and store. */
  start: () => Promise<void>;
  running: () => boolean;
  /** Process id of the running server (benchmarks read its CPU time from /proc). */
  pid: () => number | undefined;
}

export interface NatsOptions {
  /** Extra nats-server.conf text (e.g. accounts, cluster blocks). */
  config?: string;
  /** Extra command-line arguments. */
  args?: string[];
  port?: number;
}

export function natsServerVersion(): string {
  const out = execFileSync("nats-server", ["--version"], { encoding: "utf8" });
  return /v?(\d+\.\d+\.\d+)/.exec(out)?.[1] ?? out.trim();
}

export async function startNats(options: NatsOptions = {}): Promise<NatsServer> {
  const port = options.port ?? (await freePort());
  const dir = tempDir("fleetprof-nats-");
  const confPath = join(dir, "nats-server.conf");
  writeFileSync(confPath, [`listen: 127.0.0.1:${String(port)}`, `jetstream { store_dir: "${join(dir, "js")}" }`, options.config ?? ""].join("\n"));
  const version = natsServerVersion();
  let child: Tracked | undefined;
  const start = async (): Promise<void> => {
    if (child !== undefined && child.proc.exitCode === null && child.proc.signalCode === null) return;
    child = spawnTracked("nats-server", ["-c", confPath, ...(options.args ?? [])]);
    await child.waitFor(/Server is ready/, 20_000);
  };
  await start();
  return {
    url: `nats://127.0.0.1:${String(port)}`,
    port,
    dir,
    version,
    stop: async () => {
      await child?.stop();
    },
    kill: async () => {
      if (child === undefined) return;
      child.proc.kill("SIGKILL");
      await child.exited;
    },
    start,
    running: () => child !== undefined && child.proc.exitCode === null && child.proc.signalCode === null,
    pid: () => child?.proc.pid,
  };
}
