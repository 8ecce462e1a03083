/** Components log in to a real nats-server that requires users: from the URL or from options. */
import { describe, expect, it } from "vitest";
import { startNats } from "@fleetprof/test";
import { connectNats, createLogger, natsConnectOptions } from "../src/index.js";

const log = createLogger({ level: "silent" });

describe("NATS login", () => {
  it("maps URL credentials and options to the client's connection options", () => {
    expect(natsConnectOptions("nats://agent:s3cr%40t@n1:4222,nats://n2:4222")).toEqual({
      servers: ["nats://n1:4222", "nats://n2:4222"],
      user: "agent",
      pass: "s3cr@t",
    });
    const o = natsConnectOptions("nats://n1:4222", { natsUser: "u", natsPassword: "p", natsInboxPrefix: "_INBOX_web-1", natsTlsCa: "/ca.pem" });
    expect(o).toMatchObject({ servers: ["nats://n1:4222"], user: "u", pass: "p", inboxPrefix: "_INBOX_web-1", tls: { caFile: "/ca.pem" } });
  });

  it("connects with a user and password and is refused without them", async () => {
    const ns = await startNats({ config: 'authorization { users = [ { user: "collector", password: "pw" } ] }' });
    const withUrl = await connectNats(ns.url.replace("nats://", "nats://collector:pw@"), log);
    await withUrl.flush();
    await withUrl.close();
    const withOptions = await connectNats(ns.url, log, {}, { natsUser: "collector", natsPassword: "pw" });
    await withOptions.flush();
    await withOptions.close();
    await expect(connectNats(ns.url, log, { waitOnFirstConnect: false, maxReconnectAttempts: 0 })).rejects.toThrow(/auth/i);
    await ns.stop();
  });
});
