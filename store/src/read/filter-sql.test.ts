import { describe, expect, it } from "vitest";
import { filterSql } from "./filter-sql.js";
import { includesCaptures, MATCH_ALL, readsRawOnly, type SampleFilter } from "./filter.js";

describe("filterSql", () => {
  it("emits placeholders only, never values", () => {
    const f: SampleFilter = {
      matchers: [
        { label: "service", op: "=", value: "a' OR 1=1 --" },
        { label: "region", op: "=~", value: "eu.*" },
        { label: "pid", op: "=", value: "42" },
        { label: "pid", op: "!~", value: "1.*" },
        { label: "capture_id", op: "!=", value: "" },
      ],
    };
    const params: Record<string, unknown> = {};
    const where = filterSql(f, params, "s");
    expect(where).toBe(
      "service = {s0v:String} AND match(labels[{s1k:String}], {s1v:String}) AND pid = {s2v:UInt32} AND NOT match(toString(pid), {s3v:String}) AND capture_id != {s4v:String}",
    );
    expect(params).toEqual({ s0v: "a' OR 1=1 --", s1k: "region", s1v: "^(?:eu.*)$", s2v: 42, s3v: "^(?:1.*)$", s4v: "" });
    expect(readsRawOnly(f)).toBe(true);
    expect(includesCaptures(f)).toBe(true);
    expect(where).not.toContain("OR 1=1");
  });

  it("keeps rollups for selectors over rollup columns", () => {
    const f: SampleFilter = {
      matchers: [
        { label: "service", op: "=", value: "api" },
        { label: "host", op: "!=", value: "h3" },
      ],
    };
    expect([readsRawOnly(f), includesCaptures(f)]).toEqual([false, false]);
    expect(filterSql(MATCH_ALL, {}, "s")).toBe("1");
  });

  it("keeps the parameters of two filters in one query apart by prefix", () => {
    const params: Record<string, unknown> = {};
    const a = filterSql({ matchers: [{ label: "version", op: "=", value: "1.4" }] }, params, "b");
    const c = filterSql({ matchers: [{ label: "version", op: "=", value: "1.5" }] }, params, "c");
    expect([a, c]).toEqual(["version = {b0v:String}", "version = {c0v:String}"]);
    expect(params).toEqual({ b0v: "1.4", c0v: "1.5" });
  });

  it("compares a pid that is no 32-bit number as text", () => {
    const params: Record<string, unknown> = {};
    expect(filterSql({ matchers: [{ label: "pid", op: "=", value: "99999999999" }] }, params, "s")).toBe("toString(pid) = {s0v:String}");
    expect(params).toEqual({ s0v: "99999999999" });
  });

  it("reads raw samples and captures when the filter asks, whatever its matchers", () => {
    expect(readsRawOnly({ matchers: [], rawOnly: true })).toBe(true);
    expect(includesCaptures({ matchers: [], captures: true })).toBe(true);
    expect([readsRawOnly(MATCH_ALL), includesCaptures(MATCH_ALL)]).toEqual([false, false]);
  });
});
