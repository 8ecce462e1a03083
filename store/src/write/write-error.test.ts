import { ClickHouseError, parseError } from "@clickhouse/client";
import { ErrorCode, FleetprofError } from "@fleetprof/common";
import { describe, expect, it } from "vitest";
import { clickHouseFailureOf, permanentWriteError } from "./write-error.js";

describe("write errors", () => {
  it("reads the code of a ClickHouse server error, also under a wrapping error", () => {
    const constraint = parseError(
      "Code: 469. DB::Exception: Constraint `c` for table db.samples is violated at row 1. (VIOLATED_CONSTRAINT) (version 24.8.1.1)",
    );
    expect(constraint).toBeInstanceOf(ClickHouseError);
    expect(permanentWriteError(constraint)).toEqual({ code: 469, type: "VIOLATED_CONSTRAINT", message: expect.stringMatching(/Constraint `c`/) as unknown });
    const wrapped = new FleetprofError(ErrorCode.Unavailable, "insert failed", { cause: constraint });
    expect(permanentWriteError(wrapped)?.code).toBe(469);
  });

  it("retries what is about the server: too many parts, memory, a missing table, no code at all", () => {
    for (const text of [
      "Code: 252. DB::Exception: Too many parts (300). Merges are processing significantly slower than inserts. (TOO_MANY_PARTS)",
      "Code: 241. DB::Exception: Memory limit (total) exceeded. (MEMORY_LIMIT_EXCEEDED)",
      "Code: 60. DB::Exception: Table db.samples does not exist. (UNKNOWN_TABLE)",
    ]) {
      const err = parseError(text);
      expect(clickHouseFailureOf(err)?.code, text).toBeGreaterThan(0);
      expect(permanentWriteError(err), text).toBeUndefined();
    }
    expect(permanentWriteError(Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:8123"), { code: "ECONNREFUSED" }))).toBeUndefined();
    expect(permanentWriteError(new FleetprofError(ErrorCode.Unavailable, "ClickHouse unavailable"))).toBeUndefined();
  });
});
