import { describe, expect, it } from "vitest";
import { Code as ConnectCode, ConnectError } from "@connectrpc/connect";
import { Code, describeProblem } from "./api.js";

describe("the Connect codes api.ts names", () => {
  it("are the runtime's", () => {
    for (const [name, value] of Object.entries(Code)) expect((ConnectCode as unknown as Record<string, number>)[name], name).toBe(value);
  });
});

describe("describeProblem", () => {
  it("reads errors as ConnectError.from does", () => {
    expect(describeProblem(new ConnectError("no token", ConnectCode.Unauthenticated))).toMatchObject({
      needsToken: true,
      message: "no token — enter the server's token below.",
    });
    expect(describeProblem(new DOMException("stop", "AbortError"))).toMatchObject({ cancelled: true });
    expect(describeProblem(new Error("boom"))).toMatchObject({ message: "boom", cancelled: false, needsToken: false });
    expect(describeProblem("odd")).toMatchObject({ message: "odd" });
  });
});
