/**
 * The selector parser: Prometheus-style label matchers such as
 *   {service="api", version=~"1\\.5.*", host!="h3"}
 * or with the service name in front, `api{version="1.5"}`. Every error names the 1-based
 * column and what was expected there.
 */
import { ErrorCode, FleetprofError } from "@fleetprof/common";
import type { LabelMatcher, MatchOp } from "@fleetprof/store";
import { checkRegex } from "./regex.js";

export type { MatchOp };

/** One parsed label matcher: the store's {@link LabelMatcher}. */
export type Matcher = LabelMatcher;

/** Longest selector accepted, in characters. */
export const MAX_SELECTOR_LENGTH = 4096;
/** Most matchers in one selector. */
export const MAX_MATCHERS = 64;
/** Longest label value or regex, in characters. */
export const MAX_VALUE_LENGTH = 1024;

const NAME_START = /[A-Za-z_]/;
const NAME_PART = /[A-Za-z0-9_.-]/;

export function selectorError(column: number, message: string): FleetprofError {
  return new FleetprofError(ErrorCode.InvalidArgument, `selector: at column ${String(column)}: ${message}`);
}

function describe(ch: string | undefined): string {
  return ch === undefined ? "end of selector" : JSON.stringify(ch);
}

class Cursor {
  pos = 0;
  constructor(readonly text: string) {}
  get column(): number {
    return this.pos + 1;
  }
  peek(offset = 0): string | undefined {
    return this.text[this.pos + offset];
  }
  skipSpace(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos] as string)) this.pos++;
  }
  fail(expected: string): never {
    throw selectorError(this.column, `expected ${expected}, got ${describe(this.peek())}`);
  }
}

function parseName(c: Cursor, what: string): string {
  const start = c.pos;
  if (!NAME_START.test(c.peek() ?? "")) c.fail(what);
  while (NAME_PART.test(c.peek() ?? "")) c.pos++;
  return c.text.slice(start, c.pos);
}

const SIMPLE_ESCAPES: Record<string, string> = { n: "\n", t: "\t", r: "\r", "\\": "\\", '"': '"', "'": "'", "`": "`", a: "\x07", b: "\b", f: "\f", v: "\v" };

/** A quoted string: "…" or '…' with Go escapes, or `…` raw. */
function parseString(c: Cursor): string {
  const quote = c.peek();
  if (quote !== '"' && quote !== "'" && quote !== "`") c.fail("a quoted value (\"…\", '…' or `…`)");
  const startColumn = c.column;
  c.pos++;
  let out = "";
  while (true) {
    const ch = c.peek();
    if (ch === undefined) throw selectorError(startColumn, `unterminated string: expected a closing ${quote}`);
    if (ch === quote) {
      c.pos++;
      return out;
    }
    if (ch === "\n" && quote !== "`") throw selectorError(c.column, "newline in a string: expected a closing " + quote);
    if (ch === "\\" && quote !== "`") {
      const esc = c.peek(1);
      const escColumn = c.column;
      if (esc !== undefined && esc in SIMPLE_ESCAPES) {
        out += SIMPLE_ESCAPES[esc];
        c.pos += 2;
        continue;
      }
      const hexLen = esc === "x" ? 2 : esc === "u" ? 4 : esc === "U" ? 8 : 0;
      if (hexLen > 0) {
        const hex = c.text.slice(c.pos + 2, c.pos + 2 + hexLen);
        const cp = /^[0-9A-Fa-f]+$/.test(hex) && hex.length === hexLen ? Number.parseInt(hex, 16) : Number.NaN;
        if (Number.isNaN(cp) || cp > 0x10ffff) throw selectorError(escColumn, `invalid escape \\${esc}: expected ${String(hexLen)} hex digits`);
        out += String.fromCodePoint(cp);
        c.pos += 2 + hexLen;
        continue;
      }
      throw selectorError(
        escColumn,
        `unknown escape ${describe(`\\${esc ?? ""}`)} in a string: expected one of \\\\ \\" \\' \\n \\t \\r \\xHH \\uHHHH (write a backslash as \\\\)`,
      );
    }
    out += ch;
    c.pos++;
  }
}

function parseOp(c: Cursor, label: string): MatchOp {
  const two = c.text.slice(c.pos, c.pos + 2);
  if (two === "=~" || two === "!~" || two === "!=") {
    c.pos += 2;
    return two;
  }
  if (two === "==") throw selectorError(c.column, `"==" is not an operator: expected "=", "!=", "=~" or "!~" after label ${label}`);
  if (c.peek() === "=") {
    c.pos++;
    return "=";
  }
  return c.fail(`"=", "!=", "=~" or "!~" after label ${label}`);
}

/**
 * Parses a selector into matchers. An empty string and `{}` select everything. Regex
 * values are checked against the RE2 syntax ClickHouse uses.
 */
export function parseSelector(text: string): Matcher[] {
  if (text.length > MAX_SELECTOR_LENGTH) {
    throw new FleetprofError(ErrorCode.InvalidArgument, `selector: ${String(text.length)} characters is too long (at most ${String(MAX_SELECTOR_LENGTH)})`);
  }
  const c = new Cursor(text);
  const matchers: Matcher[] = [];
  c.skipSpace();
  if (c.peek() === undefined) return matchers;
  if (c.peek() !== "{") {
    const service = parseName(c, 'a service name or "{"');
    matchers.push({ label: "service", op: "=", value: service });
    c.skipSpace();
    if (c.peek() === undefined) return matchers;
  }
  if (c.peek() !== "{") c.fail('"{"');
  c.pos++;
  c.skipSpace();
  while (c.peek() !== "}") {
    const labelColumn = c.column;
    const label = parseName(c, matchers.length === 0 ? 'a label name or "}"' : "a label name");
    c.skipSpace();
    const op = parseOp(c, label);
    c.skipSpace();
    const valueColumn = c.column;
    const value = parseString(c);
    if (value.length > MAX_VALUE_LENGTH) throw selectorError(valueColumn, `value of ${label} is too long (at most ${String(MAX_VALUE_LENGTH)} characters)`);
    if (op === "=~" || op === "!~") {
      const problem = checkRegex(value);
      if (problem !== undefined)
        throw selectorError(valueColumn, `invalid regex for ${label} at character ${String(problem.offset + 1)} of the regex: ${problem.message}`);
    }
    if (matchers.length >= MAX_MATCHERS) throw selectorError(labelColumn, `too many matchers (at most ${String(MAX_MATCHERS)})`);
    matchers.push({ label, op, value });
    c.skipSpace();
    if (c.peek() === ",") {
      c.pos++;
      c.skipSpace();
      if (c.peek() === "}") break;
      continue;
    }
    if (c.peek() !== "}") c.fail('"," or "}"');
  }
  c.pos++;
  c.skipSpace();
  if (c.peek() !== undefined) c.fail('end of selector after "}"');
  return matchers;
}
