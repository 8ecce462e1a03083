import { describe, expect, it } from "vitest";
import { hashFrame, hashStack, hashString, hashStringToBigInt, u64String } from "./hash.js";
import { SeenSet } from "./seen-set.js";

describe("64-bit ids", () => {
  it("are stable: these values are stored in ClickHouse and must never change", () => {
    expect(hashStringToBigInt("").toString(16)).toBe(PINNED.empty);
    expect(hashStringToBigInt("handle_request").toString(16)).toBe(PINNED.fn);
    expect(hashStringToBigInt("/usr/lib/python3.12/site-packages/app/views.py").toString(16)).toBe(PINNED.file);
    const strings = new Uint32Array(4);
    hashString("handle_request", strings, 0);
    hashString("/app/views.py", strings, 2);
    const frames = new Uint32Array(4);
    hashFrame(strings, 0, strings, 2, 42, frames, 0);
    hashFrame(strings, 2, strings, 0, 42, frames, 2);
    expect(u64String(frames[0]!, frames[1]!)).toBe(PINNED.frame);
    const stack = new Uint32Array(2);
    hashStack([0, 1, 0], 0, 3, frames, stack, 0);
    expect(u64String(stack[0]!, stack[1]!)).toBe(PINNED.stack);
  });

  it("tell apart what differs in order, line, or one character", () => {
    const seen = new Set<string>();
    const out = new Uint32Array(2);
    for (let i = 0; i < 200_000; i++) {
      hashString(`module_${String(i)}.func`, out, 0);
      seen.add(`${String(out[0])}:${String(out[1])}`);
    }
    expect(seen.size).toBe(200_000);
    const s = new Uint32Array([1, 2, 3, 4]);
    const f = new Uint32Array(6);
    hashFrame(s, 0, s, 2, 1, f, 0);
    hashFrame(s, 0, s, 2, 2, f, 2);
    hashFrame(s, 2, s, 0, 1, f, 4);
    expect(new Set([f[0], f[2], f[4]]).size).toBe(3);
    const a = new Uint32Array(2);
    const b = new Uint32Array(2);
    hashStack([0, 1], 0, 2, f, a, 0);
    hashStack([9, 1, 0], 1, 3, f, b, 0);
    expect([...a]).not.toEqual([...b]);
  });

  it("print as unsigned decimal", () => {
    expect(u64String(0, 5)).toBe("5");
    expect(u64String(0xffffffff, 0xffffffff)).toBe("18446744073709551615");
    expect(u64String(1, 0)).toBe("4294967296");
  });
});

describe("SeenSet", () => {
  it("remembers ids, and clears itself instead of growing past its capacity", () => {
    const s = new SeenSet(100);
    expect(s.add(1, 2)).toBe(true);
    expect(s.add(1, 2)).toBe(false);
    expect(s.has(1, 2)).toBe(true);
    expect(s.has(2, 1)).toBe(false);
    expect(s.has(0, 0)).toBe(false);
    for (let i = 0; i < 1000; i++) s.add(i, 0xffffffff - i);
    expect(s.size).toBeLessThan(200); // capacity rounded up to a power-of-two table
    expect(s.has(999, 0xffffffff - 999)).toBe(true);
  });

  it("grows from a small start without losing ids", () => {
    const s = new SeenSet(10_000, 16);
    for (let i = 1; i <= 5000; i++) s.add(i, i * 7);
    expect(s.size).toBe(5000);
    for (let i = 1; i <= 5000; i++) expect(s.has(i, i * 7)).toBe(true);
    expect(s.has(5001, 5001 * 7)).toBe(false);
  });
});

const PINNED = { empty: "f63753950fa1d47b", fn: "e1354d52769f8f35", file: "9c73267d275d5020", frame: "12301120111717221813", stack: "3602563824993719176" };

describe("encodeProfile", () => {
  it("numbers threads 1.. in first-seen order, also past the small-profile fast path", async () => {
    const { encodeProfile, newEncoded } = await import("./encode.js");
    const { stacksFromList } = await import("./types.js");
    const strings = ["f", "file.py", ...Array.from({ length: 50 }, (_, i) => `t${String(i)}`)];
    const list = Array.from({ length: 120 }, (_, i) => ({ frameIds: [0], thread: 2 + (i % 50), count: 1 }));
    const out = newEncoded();
    const dict = { frames: new SeenSet(64), stacks: new SeenSet(64), pendingFrames: new SeenSet(64), pendingStacks: new SeenSet(64) };
    encodeProfile({ pid: 1, service: "s", version: "v", labels: {}, mode: "cpu", windowStartUnixMs: 1000, captureId: "", strings, frames: [{ function: 0, file: 1, line: 1 }], stacks: stacksFromList(list) }, "h", "1", 0, dict, out);
    const row = JSON.parse(out.ingest[0]!) as unknown[];
    const threads = row[9] as string[];
    const idx = row[10] as number[];
    expect(threads).toHaveLength(50);
    expect(idx.map((t) => threads[t - 1])).toEqual(list.map((s) => strings[s.thread]));
    expect(out.samples).toBe(120);
  });
});
