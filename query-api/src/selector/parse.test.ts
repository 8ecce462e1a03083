import { describe, expect, it } from "vitest";
import { ErrorCode, FleetprofError } from "@fleetprof/common";
import { parseSelector } from "./parse.js";
import { checkRegex } from "./regex.js";
import { selectorToFilter } from "./to-filter.js";

function errorOf(selector: string): FleetprofError {
  try {
    parseSelector(selector);
  } catch (err) {
    expect(err).toBeInstanceOf(FleetprofError);
    expect((err as FleetprofError).code).toBe(ErrorCode.InvalidArgument);
    return err as FleetprofError;
  }
  throw new Error(`selector ${selector} parsed`);
}

describe("parseSelector", () => {
  it("parses the four operators over columns and free labels", () => {
    expect(parseSelector('{service="api", version=~"1\\\\.5.*", host!="h3", region!~\'eu-.*\'}')).toEqual([
      { label: "service", op: "=", value: "api" },
      { label: "version", op: "=~", value: "1\\.5.*" },
      { label: "host", op: "!=", value: "h3" },
      { label: "region", op: "!~", value: "eu-.*" },
    ]);
  });

  it("accepts empty selectors, a leading service name, raw strings and a trailing comma", () => {
    expect(parseSelector("")).toEqual([]);
    expect(parseSelector("  {}  ")).toEqual([]);
    expect(parseSelector("api")).toEqual([{ label: "service", op: "=", value: "api" }]);
    expect(parseSelector('api{pid="42",}')).toEqual([
      { label: "service", op: "=", value: "api" },
      { label: "pid", op: "=", value: "42" },
    ]);
    expect(parseSelector("{thread=`Main\\Thread`}")).toEqual([{ label: "thread", op: "=", value: "Main\\Thread" }]);
    expect(parseSelector('{x="\\u00e9\\x41\\n\\""}')).toEqual([{ label: "x", op: "=", value: 'éA\n"' }]);
  });

  it("names the 1-based column and what was expected", () => {
    expect(errorOf('{service=="api"}').message).toBe('selector: at column 9: "==" is not an operator: expected "=", "!=", "=~" or "!~" after label service');
    expect(errorOf('{service~"api"}').message).toBe('selector: at column 9: expected "=", "!=", "=~" or "!~" after label service, got "~"');
    expect(errorOf("{service=api}").message).toMatch(/^selector: at column 10: expected a quoted value/);
    expect(errorOf('{service="api" host="a"}').message).toBe('selector: at column 16: expected "," or "}", got "h"');
    expect(errorOf('{service="api"').message).toBe('selector: at column 15: expected "," or "}", got end of selector');
    expect(errorOf('{service="api}').message).toBe('selector: at column 10: unterminated string: expected a closing "');
    expect(errorOf('{1abc="x"}').message).toMatch(/^selector: at column 2: expected a label name or "}"/);
    expect(errorOf('{a="x"} junk').message).toMatch(/^selector: at column 9: expected end of selector/);
    expect(errorOf('{a="\\q"}').message).toMatch(/^selector: at column 5: unknown escape/);
  });

  it("rejects regexes RE2 would not compile, with the position in the regex", () => {
    expect(errorOf('{version=~"1.(5"}').message).toBe(
      'selector: at column 11: invalid regex for version at character 3 of the regex: unclosed group: expected ")"',
    );
    expect(errorOf('{version=~"(?=x)"}').message).toMatch(/lookaround .* not supported by RE2/);
    expect(errorOf('{version=~"(a)\\\\1"}').message).toMatch(/backreference/);
    expect(errorOf('{version=~"*a"}').message).toMatch(/nothing to repeat/);
    expect(errorOf('{version=~"a{3,1}"}').message).toMatch(/minimum over maximum/);
    expect(errorOf('{version=~"[a-"}').message).toMatch(/unterminated character class/);
  });

  it("fails closed on SQL injection attempts", () => {
    for (const bad of [
      '{service="a"} OR 1=1',
      "{service='a' OR 1=1}",
      '{service="a"; DROP TABLE samples}',
      '{service="a"}--',
      '{`service`="a"}',
      '{service="a")) OR ((1"}',
    ]) {
      expect(() => parseSelector(bad), bad).toThrow(FleetprofError);
    }
  });

  it("bounds selector size and matcher count", () => {
    expect(() => parseSelector("{" + 'a="b",'.repeat(65) + "}")).toThrow(/too many matchers/);
    expect(() => parseSelector(`{a="${"x".repeat(5000)}"}`)).toThrow(/too long/);
  });
});

describe("checkRegex", () => {
  it("accepts RE2 syntax", () => {
    for (const re of [
      "1\\.5.*",
      "(?i)api",
      "(?P<v>\\d+)",
      "[[:alpha:]]+",
      "\\pL\\p{Greek}",
      "a{2,}b{3}",
      "x|y|",
      "\\Q.*\\E",
      "[\\]a-]",
      "a+?",
      "\\x{1F600}",
      "(?:a|b)*",
      "{",
      "a{,3}",
    ]) {
      expect(checkRegex(re), re).toBeUndefined();
    }
  });
  it("rejects what RE2 rejects", () => {
    for (const re of ["(?<=a)b", "a++", "(?>a)", "\\k<x>", "a)", "\\", "\\y", "a**", "x{1001}"]) {
      expect(checkRegex(re), re).toBeDefined();
    }
  });
});

describe("selectorToFilter", () => {
  it("hands the store the matchers as values, never SQL", () => {
    expect(selectorToFilter('{service="a\' OR 1=1 --", region=~"eu.*", pid="42"}')).toEqual({
      matchers: [
        { label: "service", op: "=", value: "a' OR 1=1 --" },
        { label: "region", op: "=~", value: "eu.*" },
        { label: "pid", op: "=", value: "42" },
      ],
    });
    expect(selectorToFilter("")).toEqual({ matchers: [] });
  });
});
