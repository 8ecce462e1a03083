import { describe, expect, it } from "vitest";
import { frameColour } from "./colours.js";
import { emptyFlameData, KIND_FRAME, KIND_OTHER, KIND_ROOT } from "./flame-data.js";

/** The plain graphs' colour as it has always been computed: FNV-1a of "name\0file" to one of 66 warm fills. */
function referenceColour(name: string, file: string): string {
  let h = 2166136261;
  const text = `${name}\u0000${file}`;
  for (let k = 0; k < text.length; k++) h = Math.imul(h ^ text.charCodeAt(k), 16777619);
  h >>>= 0;
  return `hsl(${String(8 + (h % 11) * 4)},${String(74 + ((h >>> 8) % 2) * 14)}%,${String(56 + ((h >>> 16) % 3) * 5)}%)`;
}

describe("frame colours of a plain graph", () => {
  it("keep each function's colour (by name and file) across versions and graphs", () => {
    const names = ["main", "handle_request", "ünï", "<module>", "run", "f", ""];
    const files = ["app.py", "/usr/lib/python3.12/threading.py", "", "日本.py"];
    const data = { ...emptyFlameData(), strings: [...names, ...files], sum: 10 };
    for (let n = 0; n < names.length; n++) {
      for (let f = 0; f < files.length; f++) {
        data.name.push(n);
        data.file.push(names.length + f);
        data.kind.push(KIND_FRAME);
        data.total.push(1);
      }
    }
    const seen = new Set<string>();
    for (let i = 0; i < data.name.length; i++) {
      const name = names[data.name[i] ?? 0] ?? "";
      const file = files[(data.file[i] ?? 0) - names.length] ?? "";
      const colour = frameColour(data, i, 0);
      expect(colour, `${name} in ${file}`).toBe(referenceColour(name, file));
      seen.add(colour);
    }
    // the hash spreads functions over several fills, not one
    expect(seen.size).toBeGreaterThan(5);
  });

  it("paint the root and folded frames grey", () => {
    const data = { ...emptyFlameData(), strings: [""], name: [0, 0], file: [0, 0], kind: [KIND_ROOT, KIND_OTHER], total: [2, 1], sum: 2 };
    expect(frameColour(data, 0, 0)).toBe("rgb(206,206,206)");
    expect(frameColour(data, 1, 0)).toBe("rgb(208,212,217)");
  });
});
