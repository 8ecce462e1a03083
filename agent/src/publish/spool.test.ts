import { chmodSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Spool } from "./spool.js";

const dirs: string[] = [];
const fresh = (): string => {
  const d = mkdtempSync(join(tmpdir(), "agent-spool-"));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const bytes = (n: number, fill = 1): Uint8Array => new Uint8Array(n).fill(fill);

describe("spool", () => {
  it("keeps messages in order on disk until removed", () => {
    const s = new Spool(fresh(), 1 << 20);
    expect(s.onDisk).toBe(true);
    s.put("a", "fleetprof.samples.x.h", bytes(10, 1));
    s.put("b", "fleetprof.samples.y.h", bytes(20, 2));
    const first = s.peek();
    expect(first).toMatchObject({ id: "a", subject: "fleetprof.samples.x.h", size: 10 });
    expect(s.read(first!)).toEqual(bytes(10, 1));
    s.remove(first!);
    s.remove(first!);
    expect(s.peek()?.id).toBe("b");
    expect(s.stats().messages).toBe(1);
  });

  it("survives a restart: a new spool on the same directory republishes what was left, same ids", () => {
    const dir = fresh();
    const s = new Spool(dir, 1 << 20);
    s.put("a", "s.a", bytes(5));
    s.put("b", "s.b", bytes(7, 9));
    writeFileSync(join(dir, "000000000099.msg.tmp"), "half");
    writeFileSync(join(dir, "000000000050.msg"), "not json\n");
    const again = new Spool(dir, 1 << 20);
    expect(again.stats().messages).toBe(2);
    const a = again.peek()!;
    expect(a.id).toBe("a");
    again.remove(a);
    expect(again.read(again.peek()!)).toEqual(bytes(7, 9));
    again.put("c", "s.c", bytes(1));
    expect(readdirSync(dir).sort()).toEqual(["000000000002.msg", "000000000003.msg"]);
  });

  it("drops the oldest beyond its limit and counts them", () => {
    const s = new Spool(fresh(), 3 * (1000 + 256));
    for (let i = 0; i < 5; i++) s.put(`m${String(i)}`, "s", bytes(1000));
    expect(s.stats()).toMatchObject({ messages: 3, dropped: 2 });
    expect(s.peek()?.id).toBe("m2");
  });

  it("falls back to memory when the directory cannot be written", () => {
    const parent = fresh();
    chmodSync(parent, 0o500);
    // root ignores directory permissions: use a path under a file instead
    writeFileSync(join(parent, "file"), "");
    const s = new Spool(join(parent, "file", "spool"), 1 << 20);
    expect(s.onDisk).toBe(false);
    expect(s.memoryReason).toMatch(/ENOTDIR|EACCES/);
    s.put("a", "s", bytes(3));
    expect(s.read(s.peek()!)).toEqual(bytes(3));
  });
});
