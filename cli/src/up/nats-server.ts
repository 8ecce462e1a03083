/** nats-server with JetStream for `fleetprof up`: loopback only, its store in the data dir. */
import { mkdirSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { ErrorCode, errorMessage, FleetprofError } from "@fleetprof/common";
import { startChild, type Child } from "./children.js";

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once("error", () => resolve(false));
    srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(true)));
  });
}

/** `preferred` if free, else any free loopback port. */
export async function pickPort(preferred: number): Promise<number> {
  if (preferred > 0 && (await portFree(preferred))) return preferred;
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      srv.close(() => (addr !== null && typeof addr === "object" ? resolve(addr.port) : reject(new Error("no free port"))));
    });
  });
}

export interface RunningNats {
  url: string;
  storeDir: string;
  child: Child;
}

export async function startNatsServer(dataDir: string, preferredPort: number): Promise<RunningNats> {
  const dir = join(dataDir, "nats");
  mkdirSync(dir, { recursive: true });
  const port = await pickPort(preferredPort);
  const conf = join(dir, "nats-server.conf");
  writeFileSync(
    conf,
    [`# written by fleetprof up`, `listen: 127.0.0.1:${String(port)}`, `jetstream {`, `  store_dir: ${JSON.stringify(join(dir, "jetstream"))}`, `}`, ""].join(
      "\n",
    ),
  );
  const child = startChild("nats-server", "nats-server", ["-c", conf]);
  try {
    await child.waitFor(/Server is ready/, 30_000);
  } catch (err) {
    await child.stop(1000);
    throw new FleetprofError(ErrorCode.Unavailable, `nats-server did not start: ${errorMessage(err)}`, { cause: err });
  }
  return { url: `nats://127.0.0.1:${String(port)}`, storeDir: join(dir, "jetstream"), child };
}
