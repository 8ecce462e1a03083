import { describe, expect, it } from "vitest";
import { parseStoreUrl, redactUrl } from "./url.js";

describe("store URL", () => {
  it("reads chdb:// paths, absolute and relative", () => {
    expect(parseStoreUrl("chdb:///var/lib/fleetprof")).toEqual({ kind: "chdb", path: "/var/lib/fleetprof" });
    expect(parseStoreUrl("chdb://./.fleetprof/data")).toEqual({ kind: "chdb", path: `${process.cwd()}/.fleetprof/data` });
    expect(() => parseStoreUrl("chdb://")).toThrow(/names no data directory/);
  });

  it("reads http(s) URLs with credentials and a database", () => {
    expect(parseStoreUrl("https://fp:s%40cret@ch.example:8443/profiles")).toEqual({
      kind: "http",
      url: "https://ch.example:8443",
      username: "fp",
      password: "s@cret",
      database: "profiles",
    });
    expect(parseStoreUrl("http://localhost:8123")).toMatchObject({ username: "default", password: "", database: undefined });
  });

  it("refuses other schemes and never shows the password", () => {
    expect(() => parseStoreUrl("clickhouse://u:pw@h:9000")).toThrow(/unsupported scheme/);
    expect(() => parseStoreUrl("http://u:pw@h:8123/a/b")).toThrow(/single database/);
    try {
      parseStoreUrl("ftp://u:hunter2@h");
    } catch (err) {
      expect((err as Error).message).not.toContain("hunter2");
    }
    expect(redactUrl("http://u:hunter2@h:8123/db")).toBe("http://u:***@h:8123/db");
  });
});
