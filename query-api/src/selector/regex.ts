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

/** Where the check goes on after one item, and whether a quantifier may follow that item. */
interface Step {
  next: number;
  repeatable: boolean;
}

const fail = (offset: number, message: string): RegexProblem => ({ offset, message });

/** Returns the first problem, or undefined when RE2 accepts the pattern. */
export function checkRegex(re: string): RegexProblem | undefined {
  const groups: number[] = [];
  let i = 0;
  // Whether the previous item can take a quantifier.
  let repeatable = false;
  while (i < re.length) {
    const step = itemAt(re, i, repeatable, groups);
    if ("message" in step) return step;
    i = step.next;
    repeatable = step.repeatable;
  }
  const open = groups.pop();
  if (open !== undefined) return fail(open, 'unclosed group: expected ")"');
  return undefined;
}

/** Checks the item at `re[i]`; `groups` holds the offsets of the groups open. */
function itemAt(re: string, i: number, repeatable: boolean, groups: number[]): Step | RegexProblem {
  switch (re[i]) {
    case "\\": {
      const next = escapeEnd(re, i, false);
      if (typeof next !== "number") return next;
      const e = re[i + 1] as string;
      return { next, repeatable: !(ASSERT_ESCAPES.has(e) || e === "Q") };
    }
    case "[": {
      const next = charClassEnd(re, i);
      return typeof next === "number" ? { next, repeatable: true } : next;
    }
    case "(":
      return groupStart(re, i, groups);
    case ")":
      return groups.pop() === undefined ? fail(i, 'unmatched ")"') : { next: i + 1, repeatable: true };
    case "*":
    case "+":
    case "?":
      return quantifier(re, i, repeatable);
    case "{":
      return repetition(re, i, repeatable);
    case "^":
    case "$":
    case "|":
      return { next: i + 1, repeatable: false };
    default:
      return { next: i + 1, repeatable: true };
  }
}

/** The end of the escape at `re[i] === "\\"`, or its problem. */
function escapeEnd(re: string, i: number, inClass: boolean): number | RegexProblem {
  const c = re[i + 1];
  if (c === undefined) return fail(i, "trailing backslash");
  if (/[1-9]/.test(c)) return fail(i, `backreference \\${c} is not supported by RE2`);
  if (c === "k") return fail(i, "named backreference \\k is not supported by RE2");
  if (c === "0") {
    let j = i + 2;
    while (j < i + 4 && /[0-7]/.test(re[j] ?? "")) j++;
    return j;
  }
  if (c === "x") return hexEscapeEnd(re, i);
  if (c === "p" || c === "P") return unicodeClassEnd(re, i, c);
  if (CLASS_ESCAPES.has(c) || CONTROL_ESCAPES.has(c)) return i + 2;
  if (!inClass && (ASSERT_ESCAPES.has(c) || c === "C")) return i + 2;
  if (!inClass && c === "Q") {
    const end = re.indexOf("\\E", i + 2);
    return end === -1 ? re.length : end + 2;
  }
  if (/[A-Za-z0-9]/.test(c)) return fail(i, `unknown escape \\${c}`);
  return i + 2;
}

/** `\\xHH` or `\\x{H…}` at `re[i]`. */
function hexEscapeEnd(re: string, i: number): number | RegexProblem {
  if (re[i + 2] === "{") {
    const close = re.indexOf("}", i + 3);
    const hex = close === -1 ? "" : re.slice(i + 3, close);
    if (!/^[0-9A-Fa-f]{1,6}$/.test(hex) || Number.parseInt(hex, 16) > 0x10ffff) return fail(i, "\\x{…} needs 1 to 6 hex digits up to 10FFFF");
    return close + 1;
  }
  if (!/^[0-9A-Fa-f]{2}$/.test(re.slice(i + 2, i + 4))) return fail(i, "\\x needs two hex digits");
  return i + 4;
}

/** `\\pN`, `\\p{Name}` (or `\\P…`) at `re[i]`. */
function unicodeClassEnd(re: string, i: number, c: string): number | RegexProblem {
  if (re[i + 2] === "{") {
    const close = re.indexOf("}", i + 3);
    if (close === -1 || !/^\^?[A-Za-z_]+$/.test(re.slice(i + 3, close))) return fail(i, `\\${c}{…} needs a Unicode class name`);
    return close + 1;
  }
  if (!/[A-Za-z]/.test(re[i + 2] ?? "")) return fail(i, `\\${c} needs a one-letter Unicode class or {Name}`);
  return i + 3;
}

/** The end of the character class opening at `re[open] === "["`. */
function charClassEnd(re: string, open: number): number | RegexProblem {
  let i = open + 1;
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
      const next = escapeEnd(re, i, true);
      if (typeof next !== "number") return next;
      i = next;
    } else {
      i++;
    }
    first = false;
  }
}

/** A group or flags at `re[i] === "("`: `(…)`, `(?:…)`, `(?P<name>…)`, `(?<name>…)`, `(?i)`, `(?i:…)`. */
function groupStart(re: string, i: number, groups: number[]): Step | RegexProblem {
  if (re[i + 1] !== "?") {
    groups.push(i);
    return { next: i + 1, repeatable: false };
  }
  const rest = re.slice(i + 2);
  if (/^(=|!|<=|<!)/.test(rest)) return fail(i, "lookaround (?=, (?!, (?<=, (?<! is not supported by RE2");
  if (rest.startsWith(">")) return fail(i, "atomic groups (?> are not supported by RE2");
  const named = /^(?:P?<)([A-Za-z_][A-Za-z0-9_]*)>/.exec(rest);
  if (named !== null) {
    groups.push(i);
    return { next: i + 2 + named[0].length, repeatable: false };
  }
  const flags = /^(-?[imsU]+|[imsU]+-[imsU]*)?([:)])/.exec(rest);
  if (flags !== null && (flags[1] !== undefined || flags[2] === ":")) {
    // `(?i)` sets flags for what follows; `(?i:` opens a group
    if (flags[2] !== ")") groups.push(i);
    return { next: i + 2 + flags[0].length, repeatable: false };
  }
  return fail(i, "unknown group syntax after (?: expected (?:, (?P<name>, (?<name> or flags (?i)");
}

/** `*`, `+` or `?` at `re[i]`, with an optional lazy `?`. */
function quantifier(re: string, i: number, repeatable: boolean): Step | RegexProblem {
  const c = re[i] as string;
  if (!repeatable) return fail(i, `nothing to repeat before ${c}`);
  let j = i + 1;
  if (re[j] === "?") j++;
  else if (re[j] === "+") return fail(j, "possessive quantifiers are not supported by RE2");
  if (re[j] === "*" || re[j] === "+" || (re[j] === "?" && c !== "?")) return fail(j, "bad repetition operator: two quantifiers in a row");
  return { next: j, repeatable: false };
}

/** `{n}`, `{n,}` or `{n,m}` at `re[i]`; a "{" that starts none of them is a literal, as in RE2. */
function repetition(re: string, i: number, repeatable: boolean): Step | RegexProblem {
  const m = /^\{(\d+)(,(\d*))?\}/.exec(re.slice(i));
  if (m === null) return { next: i + 1, repeatable: true };
  if (!repeatable) return fail(i, `nothing to repeat before ${m[0]}`);
  const min = Number(m[1]);
  const max = m[3] === undefined || m[3] === "" ? min : Number(m[3]);
  if (min > MAX_REPEAT || max > MAX_REPEAT) return fail(i, `repeat count over ${String(MAX_REPEAT)}`);
  if (m[3] !== undefined && m[3] !== "" && max < min) return fail(i, `bad repetition ${m[0]}: minimum over maximum`);
  let j = i + m[0].length;
  if (re[j] === "?") j++;
  return { next: j, repeatable: false };
}
