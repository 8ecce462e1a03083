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

/** Reads one `samples_ingest` RowBinary row (test-side decoder of what the encoder writes). */
interface IngestRow {
  kind: number;
  time: number;
  service: string;
  labels: [string, string][];
  threadIdx: number[];
  stackIds: bigint[];
  counts: bigint[];
  threads: string[];
  /** Offset after the row. */
  end: number;
}

function readIngestRow(buf: Buffer, at = 0): IngestRow {
  let pos = at;
  const varint = (): number => {
    let v = 0;
    let shift = 0;
    for (;;) {
      const b = buf[pos++] as number;
      v += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return v;
      shift += 7;
    }
  };
  const str = (): string => {
    const n = varint();
    pos += n;
    return buf.toString("utf8", pos - n, pos);
  };
  const u32 = (): number => ((pos += 4), buf.readUInt32LE(pos - 4));
  const u64 = (): bigint => ((pos += 8), buf.readBigUInt64LE(pos - 8));
  const arr = <T>(f: () => T): T[] => Array.from({ length: varint() }, f);
  const kind = buf[pos++] as number;
  const time = u32();
  const service = str();
  str(); // version
  str(); // host
  u32(); // pid
  str(); // mode
  const labels = arr((): [string, string] => [str(), str()]);
  str(); // capture_id
  u64(); // batch
  const threadIdx = arr(u32);
  const stackIds = arr(u64);
  const counts = arr(u64);
  const threads = arr(str);
  return { kind, time, service, labels, threadIdx, stackIds, counts, threads, end: pos };
}

describe("encodeProfile", () => {
  it("numbers threads 1.. in first-seen order, also past the small-profile fast path", async () => {
    const { encodeProfile, newEncoded } = await import("./encode.js");
    const { stacksFromList } = await import("./types.js");
    const strings = ["f", "file.py", ...Array.from({ length: 50 }, (_, i) => `t${String(i)}`)];
    const list = Array.from({ length: 120 }, (_, i) => ({ frameIds: [0], thread: 2 + (i % 50), count: 1 + i * 1000 }));
    const out = newEncoded();
    const dict = { frames: new SeenSet(64), stacks: new SeenSet(64) };
    encodeProfile(
      {
        pid: 1,
        service: "s",
        version: "v",
        labels: { b: "2", a: "1" },
        mode: "cpu",
        windowStartUnixMs: 61_000,
        captureId: "",
        strings,
        frames: [{ function: 0, file: 1, line: 1 }],
        stacks: stacksFromList(list),
      },
      "h",
      [0, 1],
      0,
      dict,
      out,
    );
    const row = readIngestRow(out.ingest.bytes());
    expect(row).toMatchObject({
      kind: 0,
      time: 61,
      service: "s",
      labels: [
        ["b", "2"],
        ["a", "1"],
      ],
    });
    expect(row.threads).toHaveLength(50);
    expect(row.threadIdx.map((t) => row.threads[t - 1])).toEqual(list.map((s) => strings[s.thread]));
    expect(row.counts).toEqual(list.map((s) => BigInt(s.count)));
    expect(new Set(row.stackIds).size).toBe(1);
    expect(out.samples).toBe(list.reduce((a, s) => a + s.count, 0));
  });

  it("sums rollups per minute and per hour, by thread and stack, with labels sorted", async () => {
    const { encodeProfile, finishEncoded, newEncoded } = await import("./encode.js");
    const { stacksFromList } = await import("./types.js");
    const strings = ["f", "g", "file.py", "main", "worker"];
    const frames = [
      { function: 0, file: 2, line: 1 },
      { function: 1, file: 2, line: 2 },
    ];
    const stacks = stacksFromList([
      { frameIds: [0], thread: 3, count: 5 },
      { frameIds: [0, 1], thread: 3, count: 7 },
      { frameIds: [0], thread: 4, count: 1 },
    ]);
    const out = newEncoded();
    const dict = { frames: new SeenSet(64), stacks: new SeenSet(64) };
    // three windows: two in minute 0 (labels in different orders), one in minute 1; one hour
    for (const [t, labels] of [
      [0, { a: "1", b: "2" }],
      [10_000, { b: "2", a: "1" }],
      [60_000, { a: "1", b: "2" }],
    ] as const) {
      encodeProfile(
        { pid: 1, service: "s", version: "v", labels, mode: "cpu", windowStartUnixMs: 7_200_000 + t, captureId: "", strings, frames, stacks },
        "h",
        [0, 1],
        0,
        dict,
        out,
      );
    }
    finishEncoded(out);
    expect(out.rollupRows).toBe(3 + 3 + 3);
    const bytes = out.rollupIngest.bytes();
    let at = 0;
    const rows: IngestRow[] = [];
    while (at < bytes.length) {
      const r = readIngestRow(bytes, at);
      rows.push(r);
      at = r.end;
    }
    const kinds = rows.map((r) => [r.kind, r.time]);
    expect(kinds).toEqual([
      [1, 7200],
      [1, 7260],
      [2, 7200],
    ]);
    const sum = (r: (typeof rows)[number]): Record<string, number> => {
      const m: Record<string, number> = {};
      r.threadIdx.forEach((t, i) => {
        const k = `${r.threads[t - 1] ?? ""}/${String(r.stackIds[i])}`;
        m[k] = (m[k] ?? 0) + Number(r.counts[i]);
      });
      return m;
    };
    const [m0, m1, h] = rows.map(sum);
    expect(Object.values(m0 ?? {}).sort((a, b) => a - b)).toEqual([2, 10, 14]);
    expect(Object.values(m1 ?? {}).sort((a, b) => a - b)).toEqual([1, 5, 7]);
    expect(Object.values(h ?? {}).sort((a, b) => a - b)).toEqual([3, 15, 21]);
    for (const r of rows)
      expect(r.labels).toEqual([
        ["a", "1"],
        ["b", "2"],
      ]);
  });
});
