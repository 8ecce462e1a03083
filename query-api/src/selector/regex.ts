/**
 * A syntax check for the RE2 regexes ClickHouse's match() compiles, so that a bad regex is
 * INVALID_ARGUMENT with a position before any query runs. RE2 has no lookaround, no
 * backreferences, no possessive or atomic groups; it does have `(?P<name>…)`, `(?i)` flags,
 * `\pN` / `\p{Greek}` classes and `\Q…\E` quoting.
 */
export interface RegexProblem {
  /** 0-based offset into the regex. */
  offset: number;
  message: string;
}

/** Largest repeat count RE2 accepts in `{n,m}`. */
const MAX_REPEAT = 1000;

const CLASS_ESCAPES = new Set(["d", "D", "s", "S", "w", "W"]);
const ASSERT_ESCAPES = new Set(["b", "B", "A", "z"]);
const CONTROL_ESCAPES = new Set(["a", "f", "t", "n", "r", "v"]);

/** Returns the first problem, or undefined when RE2 accepts the pattern. */
export function checkRegex(re: string): RegexProblem | undefined {
  let i = 0;
  const groups: number[] = [];
  // Whether the previous item can take a quantifier.
  let repeatable = false;
  const fail = (offset: number, message: string): RegexProblem => ({ offset, message });

  /** Parses an escape at re[i] === "\\"; returns the new index or a problem. */
  const escape = (inClass: boolean): number | RegexProblem => {
    const at = i;
    const c = re[i + 1];
    if (c === undefined) return fail(at, "trailing backslash");
    if (/[1-9]/.test(c)) return fail(at, `backreference \\${c} is not supported by RE2`);
    if (c === "k") return fail(at, "named backreference \\k is not supported by RE2");
    if (c === "0") {
      let j = i + 2;
      while (j < i + 4 && /[0-7]/.test(re[j] ?? "")) j++;
      return j;
    }
    if (c === "x") {
      if (re[i + 2] === "{") {
        const close = re.indexOf("}", i + 3);
        const hex = close === -1 ? "" : re.slice(i + 3, close);
        if (!/^[0-9A-Fa-f]{1,6}$/.test(hex) || Number.parseInt(hex, 16) > 0x10ffff) return fail(at, "\\x{…} needs 1 to 6 hex digits up to 10FFFF");
        return close + 1;
      }
      if (!/^[0-9A-Fa-f]{2}$/.test(re.slice(i + 2, i + 4))) return fail(at, "\\x needs two hex digits");
      return i + 4;
    }
    if (c === "p" || c === "P") {
      if (re[i + 2] === "{") {
        const close = re.indexOf("}", i + 3);
        if (close === -1 || !/^\^?[A-Za-z_]+$/.test(re.slice(i + 3, close))) return fail(at, `\\${c}{…} needs a Unicode class name`);
        return close + 1;
      }
      if (!/[A-Za-z]/.test(re[i + 2] ?? "")) return fail(at, `\\${c} needs a one-letter Unicode class or {Name}`);
      return i + 3;
    }
    if (CLASS_ESCAPES.has(c) || CONTROL_ESCAPES.has(c)) return i + 2;
    if (!inClass && (ASSERT_ESCAPES.has(c) || c === "C")) return i + 2;
    if (!inClass && c === "Q") {
      const end = re.indexOf("\\E", i + 2);
      return end === -1 ? re.length : end + 2;
    }
    if (/[A-Za-z0-9]/.test(c)) return fail(at, `unknown escape \\${c}`);
    return i + 2;
  };

  const charClass = (): number | RegexProblem => {
    const open = i;
    i++;
    if (re[i] === "^") i++;
    let first = true;
    while (true) {
      const c = re[i];
      if (c === undefined) return fail(open, 'unterminated character class: expected "]"');
      if (c === "]" && !first) return i + 1;
      if (c === "[" && re[i + 1] === ":") {
        const close = re.indexOf(":]", i + 2);
        if (close === -1 || !/^\^?[a-z]+$/.test(re.slice(i + 2, close))) return fail(i, "bad POSIX class: expected [:name:]");
        i = close + 2;
      } else if (c === "\\") {
        const next = escape(true);
        if (typeof next !== "number") return next;
        i = next;
      } else {
        i++;
      }
      first = false;
    }
  };

  while (i < re.length) {
    const c = re[i] as string;
    switch (c) {
      case "\\": {
        const next = escape(false);
        if (typeof next !== "number") return next;
        const e = re[i + 1] as string;
        repeatable = !(ASSERT_ESCAPES.has(e) || e === "Q");
        i = next;
        break;
      }
      case "[": {
        const next = charClass();
        if (typeof next !== "number") return next;
        i = next;
        repeatable = true;
        break;
      }
      case "(": {
        if (re[i + 1] === "?") {
          const rest = re.slice(i + 2);
          if (/^(=|!|<=|<!)/.test(rest)) return fail(i, "lookaround (?=, (?!, (?<=, (?<! is not supported by RE2");
          if (rest.startsWith(">")) return fail(i, "atomic groups (?> are not supported by RE2");
          const named = /^(?:P?<)([A-Za-z_][A-Za-z0-9_]*)>/.exec(rest);
          const flags = /^(-?[imsU]+|[imsU]+-[imsU]*)?([:)])/.exec(rest);
          if (named !== null) {
            groups.push(i);
            i += 2 + named[0].length;
            repeatable = false;
          } else if (flags !== null && (flags[1] !== undefined || flags[2] === ":")) {
            if (flags[2] === ")") {
              i += 2 + flags[0].length;
              repeatable = false;
            } else {
              groups.push(i);
              i += 2 + flags[0].length;
              repeatable = false;
            }
          } else {
            return fail(i, "unknown group syntax after (?: expected (?:, (?P<name>, (?<name> or flags (?i)");
          }
        } else {
          groups.push(i);
          i++;
          repeatable = false;
        }
        break;
      }
      case ")": {
        if (groups.pop() === undefined) return fail(i, 'unmatched ")"');
        i++;
        repeatable = true;
        break;
      }
      case "*":
      case "+":
      case "?": {
        if (!repeatable) return fail(i, `nothing to repeat before ${c}`);
        i++;
        if (re[i] === "?") i++;
        else if (re[i] === "+") return fail(i, "possessive quantifiers are not supported by RE2");
        if (re[i] === "*" || re[i] === "+" || (re[i] === "?" && c !== "?")) return fail(i, "bad repetition operator: two quantifiers in a row");
        repeatable = false;
        break;
      }
      case "{": {
        const m = /^\{(\d+)(,(\d*))?\}/.exec(re.slice(i));
        if (m === null) {
          // RE2 takes a "{" that does not start a repetition literally.
          i++;
          repeatable = true;
          break;
        }
        if (!repeatable) return fail(i, `nothing to repeat before ${m[0]}`);
        const min = Number(m[1]);
        const max = m[3] === undefined || m[3] === "" ? min : Number(m[3]);
        if (min > MAX_REPEAT || max > MAX_REPEAT) return fail(i, `repeat count over ${String(MAX_REPEAT)}`);
        if (m[3] !== undefined && m[3] !== "" && max < min) return fail(i, `bad repetition ${m[0]}: minimum over maximum`);
        i += m[0].length;
        if (re[i] === "?") i++;
        repeatable = false;
        break;
      }
      case "^":
      case "$":
        i++;
        repeatable = false;
        break;
      case "|":
        i++;
        repeatable = false;
        break;
      default:
        i++;
        repeatable = true;
    }
  }
  const open = groups.pop();
  if (open !== undefined) return fail(open, 'unclosed group: expected ")"');
  return undefined;
}
