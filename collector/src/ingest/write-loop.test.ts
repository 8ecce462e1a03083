import { describe, expect, it } from "vitest";
import { FakeClock } from "@fleetprof/common/clock.fake";
import type { WriteItem } from "../write/commit.js";
import { fakeMsg } from "./message.fake.js";
import { PendingWrite } from "./pending-write.js";
import { fakeBatch, fakeWrites, type FakePrepared } from "./write.fake.js";
import { WriteLoop } from "./write-loop.js";

/** A committer whose writes land when the test says so; `writes` lists each write's batch ids. */
function heldCommitter(): { commit: (p: FakePrepared, items: WriteItem[]) => Promise<void>; writes: FakePrepared[]; land: () => void } {
  const landing: (() => void)[] = [];
  const writes: FakePrepared[] = [];
  return {
    writes,
    commit: (p) => {
      writes.push(p);
      return new Promise<void>((r) => landing.push(r));
    },
    land: () => landing.shift()?.(),
  };
}

function setup(): {
  clock: FakeClock;
  loop: WriteLoop<FakePrepared>;
  add: (id: string, rows: number) => void;
  committer: ReturnType<typeof heldCommitter>;
  stopping: AbortController;
  hardStop: AbortController;
  ended: () => boolean;
} {
  const clock = new FakeClock();
  const pending = new PendingWrite(fakeWrites().begin, clock);
  const committer = heldCommitter();
  const stopping = new AbortController();
  const hardStop = new AbortController();
  const decode = { pump: () => undefined, waiting: 0, decoding: 0 };
  const loop = new WriteLoop({ pending, committer, decode, clock, flushRows: 1000, flushInterval: 1000, stopping: stopping.signal, hardStop: hardStop.signal });
  let ended = false;
  void loop.run().then(() => (ended = true));
  const add = (id: string, rows: number): void => {
    pending.add({ m: fakeMsg().msg, batch: fakeBatch(id) }, rows);
    loop.poke();
  };
  return { clock, loop, add, committer, stopping, hardStop, ended: () => ended };
}

describe("write loop", () => {
  it("writes as soon as flushRows rows were decoded, without waiting for the interval", async () => {
    const { clock, add, committer } = setup();
    add("a", 600);
    await clock.advance(10);
    expect(committer.writes).toEqual([]);
    add("b", 400);
    await clock.advance(0);
    expect(committer.writes).toEqual([["a", "b"]]);
  });

  it("writes a few rows once the first of them is flushInterval old", async () => {
    const { clock, add, committer } = setup();
    await clock.advance(300);
    add("a", 5);
    await clock.advance(999);
    expect(committer.writes).toEqual([]);
    await clock.advance(1);
    expect(committer.writes).toEqual([["a"]]);
  });

  it("keeps one write in flight; what is decoded meanwhile goes out together once it landed", async () => {
    const { clock, add, committer } = setup();
    add("a", 1000);
    await clock.advance(0);
    add("b", 1000);
    add("c", 5);
    await clock.advance(5000);
    expect(committer.writes).toEqual([["a"]]);
    committer.land();
    await clock.advance(0);
    expect(committer.writes).toEqual([["a"], ["b", "c"]]);
  });

  it("on stop writes what waits at once and ends when that write landed", async () => {
    const { clock, add, committer, stopping, loop, ended } = setup();
    add("a", 5);
    stopping.abort();
    loop.poke();
    await clock.advance(0);
    expect(committer.writes).toEqual([["a"]]);
    expect(ended()).toBe(false);
    committer.land();
    await clock.advance(0);
    expect(ended()).toBe(true);
  });

  it("past the stop deadline starts no other write, and ends once the write in flight returns", async () => {
    const { clock, add, committer, stopping, hardStop, loop, ended } = setup();
    add("a", 1000);
    await clock.advance(0);
    add("b", 5);
    stopping.abort();
    hardStop.abort();
    loop.poke();
    committer.land();
    await clock.advance(0);
    expect(committer.writes).toEqual([["a"]]);
    expect(ended()).toBe(true);
  });
});
