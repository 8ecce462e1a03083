/**
 * Functions (function name + file) shared by both sides of a diff, and for each stack of a side
 * its leaf function and its distinct functions (a recursive function counts once per stack, as
 * in top functions). Stacks whose frames are unknown belong to `<unknown>`, as in flame graphs.
 */
import type { FrameInfo } from "@fleetprof/store";
import { UNKNOWN_FUNCTION } from "./tree.js";

export class FunctionIndex {
  readonly names: string[] = [];
  readonly files: string[] = [];
  readonly #ids = new Map<string, number>();

  get size(): number {
    return this.names.length;
  }

  id(name: string, file: string): number {
    const fn = name === "" ? UNKNOWN_FUNCTION : name;
    const key = `${fn}\u0000${file}`;
    let id = this.#ids.get(key);
    if (id === undefined) {
      id = this.names.length;
      this.names.push(fn);
      this.files.push(file);
      this.#ids.set(key, id);
    }
    return id;
  }
}

/** The functions of every stack of one side, as columns. */
export interface StackFunctions {
  /** Function id of each stack's leaf. */
  leaf: Uint32Array;
  /** Distinct functions of stack `s`: `list[start[s] .. start[s + 1])`. */
  start: Uint32Array;
  list: Uint32Array;
}

export function stackFunctions(index: FunctionIndex, frames: readonly FrameInfo[], stacks: readonly (readonly number[])[]): StackFunctions {
  const frameFn = frames.map((f) => index.id(f.function, f.file));
  const unknown = index.id(UNKNOWN_FUNCTION, "");
  const leaf = new Uint32Array(stacks.length);
  const start = new Uint32Array(stacks.length + 1);
  let refs = 0;
  for (const s of stacks) refs += Math.max(1, s.length);
  const list = new Uint32Array(refs);
  // the last stack that listed each function: a recursive function is listed once per stack
  const stamp = new Int32Array(index.size).fill(-1);
  let at = 0;
  stacks.forEach((stack, s) => {
    start[s] = at;
    if (stack.length === 0) {
      leaf[s] = unknown;
      list[at++] = unknown;
      return;
    }
    for (const f of stack) {
      const fn = frameFn[f] as number;
      if (stamp[fn] === s) continue;
      stamp[fn] = s;
      list[at++] = fn;
    }
    leaf[s] = frameFn[stack[stack.length - 1] as number] as number;
  });
  start[stacks.length] = at;
  return { leaf, start, list: list.subarray(0, at) };
}
