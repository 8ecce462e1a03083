import { describe, expect, it } from "vitest";
import { matchesLabels, re2ToRegExp } from "./match.js";
import { parseSelector } from "./parse.js";

const labels = { service: "api", version: "1.5.2", host: "web-1", pid: "42", mode: "cpu", team: "pay" };
const matches = (selector: string, l: Record<string, string> = labels): boolean => matchesLabels(parseSelector(selector), l);

describe("matchesLabels", () => {
  it("evaluates every operator like the SQL filter, anchored, a missing label reading as empty", () => {
    expect(matches("")).toBe(true);
    expect(matches('api{version=~"1\\\\.5.*", host!="web-2", team="pay", pid="42", mode="cpu"}')).toBe(true);
    expect(matches('{version=~"1\\\\.5"}')).toBe(false);
    expect(matches('{service!~"a.*"}')).toBe(false);
    expect(matches('{thread="MainThread"}')).toBe(false);
    expect(matches('{thread!="MainThread", capture_id=""}')).toBe(true);
    expect(matches('{zone=~".*"}')).toBe(true);
    expect(matches('{zone=~".+"}')).toBe(false);
  });

  it("translates the RE2 syntax JS lacks", () => {
    expect(re2ToRegExp("(?i)API")?.test("api")).toBe(true);
    expect(re2ToRegExp("(?P<major>1)\\.5\\z")?.test("1.5")).toBe(true);
    expect(re2ToRegExp("\\Qa.b\\E")?.test("a.b")).toBe(true);
    expect(re2ToRegExp("\\Qa.b\\E")?.test("axb")).toBe(false);
    expect(re2ToRegExp("\\pL+")?.test("abc")).toBe(true);
    expect(re2ToRegExp("(?U)a+")).toBeUndefined();
  });
});
