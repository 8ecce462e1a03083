/**
 * Runs the example nats-server configs of deploy/nats as they are: copied into a temp dir
 * (their `include ./auth.conf` is relative), with the environment they read filled in with
 * loopback addresses, temp store dirs and passwords made up for the test.
 */
import { randomBytes } from "node:crypto";
import { copyFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { connect, type ConnectionOptions, type NatsConnection } from "@nats-io/transport-node";
import { freePort, spawnTracked, tempDir, type Tracked } from "@fleetprof/test";

/** deploy/nats, where the example configs live. */
export const NATS_CONFIG_DIR = fileURLToPath(new URL("../../nats/", import.meta.url));

/** The users of deploy/nats/auth.conf, each with the environment variable holding its password. */
export const USERS = {
  admin: "FLEETPROF_NATS_ADMIN_PASSWORD",
  collector: "FLEETPROF_NATS_COLLECTOR_PASSWORD",
  "query-api": "FLEETPROF_NATS_QUERY_API_PASSWORD",
  "agent-web-1": "FLEETPROF_NATS_AGENT_WEB_1_PASSWORD",
  "agent-web-2": "FLEETPROF_NATS_AGENT_WEB_2_PASSWORD",
} as const;
export type User = keyof typeof USERS;

/** The inbox prefix each user may subscribe to (auth.conf gives every role its own). */
export const INBOX_PREFIX: Record<User, string | undefined> = {
  admin: undefined,
  collector: "_INBOX_collector",
  "query-api": "_INBOX_query_api",
  "agent-web-1": "_INBOX_web-1",
  "agent-web-2": "_INBOX_web-2",
};

/** A copy of deploy/nats/*.conf in a fresh temp dir; returns the dir. */
export function copyNatsConfigs(): string {
  const dir = tempDir("fleetprof-natsconf-");
  for (const name of readdirSync(NATS_CONFIG_DIR)) {
    if (name.endsWith(".conf")) copyFileSync(join(NATS_CONFIG_DIR, name), join(dir, name));
  }
  return dir;
}

/** A fresh random password for every user, keyed by user and by environment variable. */
export function makePasswords(): { byUser: Record<User, string>; env: Record<string, string> } {
  const byUser = {} as Record<User, string>;
  const env: Record<string, string> = {};
  for (const [user, variable] of Object.entries(USERS) as [User, string][]) {
    const password = randomBytes(12).toString("hex");
    byUser[user] = password;
    // nats-server parses an environment value as a config value: quoted, it is always a
    // string (unquoted, "5f3a…" would be read as a number and fail).
    env[variable] = `"${password}"`;
  }
  return { byUser, env };
}

export interface ConfiguredServer {
  proc: Tracked;
  port: number;
  url: string;
  /** Starts the server again with the same config, port and store (after a kill). */
  restart: () => Promise<void>;
  kill: () => Promise<void>;
}

/** Starts nats-server on `confPath` with `env` added to the environment; resolves when it is ready. */
export async function startConfigured(confPath: string, port: number, env: Record<string, string>, ready = /Server is ready/): Promise<ConfiguredServer> {
  const spawnIt = async (): Promise<Tracked> => {
    const proc = spawnTracked("nats-server", ["-c", confPath], { env: { ...process.env, ...env } });
    await proc.waitFor(ready, 30_000);
    return proc;
  };
  const server: ConfiguredServer = {
    proc: await spawnIt(),
    port,
    url: `nats://127.0.0.1:${port}`,
    restart: async () => {
      server.proc = await spawnIt();
    },
    kill: async () => {
      const { proc } = server;
      if (proc.proc.exitCode !== null || proc.proc.signalCode !== null) return;
      proc.proc.kill("SIGKILL");
      await proc.exited;
    },
  };
  return server;
}

/** The environment nats-server.conf / cluster.conf read for one node on loopback. */
export async function nodeEnv(name: string): Promise<{ port: number; env: Record<string, string> }> {
  const port = await freePort();
  const monitor = await freePort();
  return {
    port,
    env: {
      FLEETPROF_NATS_SERVER_NAME: name,
      FLEETPROF_NATS_LISTEN: `127.0.0.1:${port}`,
      FLEETPROF_NATS_MONITOR: `127.0.0.1:${monitor}`,
      FLEETPROF_NATS_STORE_DIR: tempDir(`fleetprof-js-${name}-`),
    },
  };
}

/** Connects as one of auth.conf's users, with that user's inbox prefix. */
export async function connectAs(servers: string | string[], user: User, password: string, options: Partial<ConnectionOptions> = {}): Promise<NatsConnection> {
  const inboxPrefix = INBOX_PREFIX[user];
  return connect({
    servers,
    user,
    pass: password,
    ...(inboxPrefix === undefined ? {} : { inboxPrefix }),
    ...options,
  });
}
