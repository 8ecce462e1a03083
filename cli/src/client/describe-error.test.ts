import { ErrorCode, FleetprofError } from "@fleetprof/common";
import { describe, expect, it } from "vitest";
import { ApiCallError, describeError } from "./describe-error.js";

/** What the query API client rejects with: a FleetprofError whose cause is the grpc-js error. */
function fromServer(code: number, details: string): ApiCallError {
  const grpc = Object.assign(new Error(`${String(code)} X: ${details}`), { code, details });
  return new ApiCallError("api.internal:4319", new FleetprofError(ErrorCode.Internal, details, { cause: grpc }));
}

describe("describeError", () => {
  it("gives each server status one line that says what to do", () => {
    expect(describeError(fromServer(4, "Deadline exceeded"))).toEqual({
      message: "the query took too long (Deadline exceeded): narrow --since/--until or the selector, or raise --timeout",
      exitCode: 1,
    });
    expect(describeError(fromServer(8, "range longer than 31d")).message).toBe("the query hit a server limit: range longer than 31d");
    expect(describeError(fromServer(12, "")).message).toBe(
      "the query API at api.internal:4319 does not support this call (unimplemented): is it an older version?",
    );
    expect(describeError(fromServer(14, "No connection established. Last error: getaddrinfo ENOTFOUND api.internal")).message).toMatch(
      /^cannot reach the query API at api\.internal:4319 \(host not found\)/,
    );
    expect(describeError(fromServer(13, "internal error: boom")).message).toBe("the query API failed: internal error: boom");
  });

  it("passes our own errors through, usage mistakes with exit code 2", () => {
    expect(describeError(new FleetprofError(ErrorCode.InvalidArgument, "bad"))).toEqual({ message: "bad", exitCode: 2 });
    expect(describeError(new ApiCallError("h:1", new FleetprofError(ErrorCode.InvalidConfig, "cannot read --tls-ca x")))).toEqual({
      message: "cannot read --tls-ca x",
      exitCode: 2,
    });
    expect(describeError(new Error("plain"))).toEqual({ message: "plain", exitCode: 1 });
  });
});
