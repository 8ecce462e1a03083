/**
 * Evaluates parsed matchers in JS against one set of label values (a process an agent reports,
 * not a sample row). Same meaning as the SQL of to-filter.ts: a label the set lacks is "", regex
 * matchers are anchored. RE2 syntax JS lacks is translated where simple (`(?P<n>`, leading
 * `(?i)`/`(?s)`/`(?m)`, `\A`, `\z`, `\Q…\E`, `\pL`); a regex JS still cannot compile matches
 * nothing here.
 */
import type { Matcher } from "./parse.js";

/** The RE2 pattern as an anchored JS RegExp, or undefined when JS cannot compile it. */
export function re2ToRegExp(pattern: string): RegExp | undefined {
  let flags = "";
  let body = pattern;
  const lead = /^\(\?([imsU]+)\)/.exec(body);
  if (lead !== null) {
    const f = lead[1] ?? "";
    if (f.includes("U")) return undefined;
    flags = [...new Set(f)].join("");
    body = body.slice(lead[0].length);
  }
  let out = "";
  let unicode = false;
  for (let i = 0; i < body.length; i++) {
    const ch = body[i] as string;
    if (ch !== "\\") {
      if (ch === "(" && body.startsWith("(?P<", i)) {
        out += "(?<";
        i += 3;
        continue;
      }
      out += ch;
      continue;
    }
    const next = body[i + 1];
    if (next === "A") out += "^";
    else if (next === "z") out += "$";
    else if (next === "Q") {
      const end = body.indexOf("\\E", i + 2);
      const literal = body.slice(i + 2, end === -1 ? body.length : end);
      out += literal.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&");
      i = end === -1 ? body.length : end + 1;
      continue;
    } else if ((next === "p" || next === "P") && body[i + 2] !== "{" && body[i + 2] !== undefined) {
      out += `\\${next}{${body[i + 2] as string}}`;
      unicode = true;
      i += 2;
      continue;
    } else {
      if (next === "p" || next === "P") unicode = true;
      out += `\\${next ?? ""}`;
    }
    i++;
  }
  try {
    return new RegExp(`^(?:${out})$`, flags + (unicode ? "u" : ""));
  } catch {
    return undefined;
  }
}

/** Whether every matcher holds for `labels` (a missing label reads as ""). */
export function matchesLabels(matchers: readonly Matcher[], labels: Readonly<Record<string, string>>): boolean {
  return matchers.every((m) => {
    const value = Object.hasOwn(labels, m.label) ? (labels[m.label] as string) : "";
    switch (m.op) {
      case "=":
        return value === m.value;
      case "!=":
        return value !== m.value;
      case "=~":
      case "!~": {
        const re = re2ToRegExp(m.value);
        if (re === undefined) return false;
        return re.test(value) === (m.op === "=~");
      }
    }
  });
}
