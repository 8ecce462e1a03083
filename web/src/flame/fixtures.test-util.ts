/** Flame graph columns from collapsed stacks ("a;b;c" → count), for unit tests. */
import { emptyFlameData, KIND_FRAME, KIND_ROOT, type FlameData } from "./flame-data.js";

interface Tree {
  name: string;
  self: number;
  total: number;
  baseSelf: number;
  baseTotal: number;
  children: Map<string, Tree>;
}

const tree = (name: string): Tree => ({ name, self: 0, total: 0, baseSelf: 0, baseTotal: 0, children: new Map() });

function add(root: Tree, stacks: Record<string, number>, base: boolean): number {
  let sum = 0;
  for (const [stack, count] of Object.entries(stacks)) {
    sum += count;
    let at = root;
    const bump = (t: Tree): void => {
      if (base) t.baseTotal += count;
      else t.total += count;
    };
    bump(at);
    for (const name of stack.split(";")) {
      let c = at.children.get(name);
      if (c === undefined) at.children.set(name, (c = tree(name)));
      bump(c);
      at = c;
    }
    if (base) at.baseSelf += count;
    else at.self += count;
  }
  return sum;
}

export function flameFrom(stacks: Record<string, number>, base?: Record<string, number>): FlameData {
  const root = tree("");
  const sum = add(root, stacks, false);
  const baseSum = base === undefined ? 0 : add(root, base, true);
  const strings = ["", "app.py"];
  const d: FlameData = {
    ...emptyFlameData(),
    diff: base !== undefined,
    strings,
    sum,
    baseSum,
    source: "raw",
  };
  const visit = (t: Tree, parent: number): void => {
    const me = d.name.length;
    let s = strings.indexOf(t.name);
    if (s < 0) s = strings.push(t.name) - 1;
    d.name.push(s);
    d.file.push(parent < 0 ? 0 : 1);
    d.line.push(parent < 0 ? 0 : 7);
    d.parent.push(parent);
    d.self.push(t.self);
    d.total.push(t.total);
    d.kind.push(parent < 0 ? KIND_ROOT : KIND_FRAME);
    d.folded.push(0);
    if (base !== undefined) {
      d.baseSelf.push(t.baseSelf);
      d.baseTotal.push(t.baseTotal);
      d.presence.push(t.total > 0 && t.baseTotal > 0 ? 0 : t.total > 0 ? 2 : 1);
    }
    for (const c of [...t.children.values()].sort((a, b) => b.total + b.baseTotal - (a.total + a.baseTotal))) visit(c, me);
  };
  visit(root, -1);
  return d;
}
