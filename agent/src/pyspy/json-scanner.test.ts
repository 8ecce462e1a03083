import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { BudgetExhausted, JsonScanner, JsonShapeError } from "./json-scanner.js";
import { limitName } from "./name-limit.js";

const dir = mkdtempSync(join(tmpdir(), "agent-json-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
function scanner(text: string, maxStringBytes = 4096): JsonScanner {
  const path = join(dir, `${String(++n)}.json`);
  writeFileSync(path, text);
  return new JsonScanner(path, maxStringBytes);
}

describe("json scanner", () => {
  it("decodes every JSON escape, surrogate pairs included; a lone surrogate becomes U+FFFD", () => {
    const value = 'a"b\\c/d\ne\r\tf\b\fg\u0001h \u{1f600} é';
    const s = scanner(`${JSON.stringify(value)} "\\ud83d\\ude00\\u00e9\\/" "\\ud83dx" "\\ude00"`);
    expect(s.string().value).toBe(value);
    expect(s.string().value).toBe("\u{1f600}é/");
    expect(s.string().value).toBe("\ufffdx");
    expect(s.string().value).toBe("\ufffd");
  });

  it("cuts a long string at a character boundary, ending in …, however it was written", () => {
    const long = "é".repeat(100); // 200 bytes
    const s = scanner(`${JSON.stringify(long)} ${JSON.stringify(long).replace(/é/g, "\\u00e9")}`, 51);
    for (const r of [s.string(), s.string()]) {
      expect(r.truncated).toBe(true);
      expect(r.value).toBe(`${"é".repeat(24)}…`);
      expect(Buffer.byteLength(r.value)).toBeLessThanOrEqual(51);
    }
    expect(limitName(long, 51)).toEqual({ value: `${"é".repeat(24)}…`, truncated: true });
    expect(limitName("short", 51)).toEqual({ value: "short", truncated: false });
  });

  it("skips nested values, brackets inside strings included, and reads lists of numbers", () => {
    const s = scanner('[{"a":[1,"]}",{"b":null}],"c":-1.5e3}, true, [3,14, 15 ], []]');
    expect(s.accept(0x5b)).toBe(true);
    s.skip();
    expect(s.more(0x5d)).toBe(true);
    s.skip();
    expect(s.more(0x5d)).toBe(true);
    const ring = new Uint32Array(2);
    expect(s.uintList(ring)).toBe(3);
    // The ring holds the last two: 15 went where 3 was.
    expect([...ring]).toEqual([15, 14]);
    expect(s.more(0x5d)).toBe(true);
    expect(s.uintList(ring)).toBe(0);
    expect(s.more(0x5d)).toBe(false);
  });

  it("tells an early end from a budget that ran out", () => {
    expect(() => scanner('["abc').skip()).toThrow(JsonShapeError);
    const s = scanner('["abcdef"]');
    s.range(0, 4);
    expect(() => s.skip()).toThrow(BudgetExhausted);
    expect(() => scanner("[1 2]").uintList(new Uint32Array(4))).toThrow(JsonShapeError);
  });
});
