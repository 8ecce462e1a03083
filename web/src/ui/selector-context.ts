/**
 * What the text before the caret in a selector asks to complete: a service name (a bare
 * leading name), a label name (after `{` or `,`), or a label's value (inside its quotes).
 */

export type Completion =
  | { kind: "service"; prefix: string; start: number }
  | { kind: "name"; prefix: string; start: number }
  | { kind: "value"; label: string; prefix: string; start: number };

export function completionAt(text: string, caret: number): Completion | undefined {
  const before = text.slice(0, caret);
  if (!before.includes("{")) {
    return /^[\w.-]*$/.test(before) ? { kind: "service", prefix: before, start: 0 } : undefined;
  }
  const value = /([A-Za-z_][\w]*)\s*(?:=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)$/.exec(before);
  if (value !== null) {
    const prefix = value[2] ?? "";
    return { kind: "value", label: value[1] ?? "", prefix, start: caret - prefix.length };
  }
  const name = /[{,]\s*([A-Za-z_]\w*)?$/.exec(before);
  if (name !== null) {
    const prefix = name[1] ?? "";
    return { kind: "name", prefix, start: caret - prefix.length };
  }
  return undefined;
}

/** The text after accepting `choice`, and where the caret goes. */
export function accept(text: string, caret: number, c: Completion, choice: string): { text: string; caret: number } {
  const quoted = choice.replace(/\\/g, "\\\\").replace(/"/g, '\\"');
  let insert: string;
  if (c.kind === "name") insert = `${choice}="`;
  else if (c.kind === "value") insert = text[caret] === '"' ? quoted : `${quoted}"`;
  else insert = choice;
  // A value's closing quote may already be there: step over it.
  const rest = text.slice(caret);
  const next = c.kind === "value" && rest.startsWith('"') ? 1 : 0;
  const out = text.slice(0, c.start) + insert + rest;
  return { text: out, caret: c.start + insert.length + next };
}

/** Suggestions that contain `prefix`, those starting with it first. */
export function rank(options: readonly string[], prefix: string, max = 12): string[] {
  const p = prefix.toLowerCase();
  const starts: string[] = [];
  const contains: string[] = [];
  for (const o of options) {
    const l = o.toLowerCase();
    if (l === p) continue;
    if (l.startsWith(p)) starts.push(o);
    else if (p !== "" && l.includes(p)) contains.push(o);
  }
  return [...starts, ...contains].slice(0, max);
}
