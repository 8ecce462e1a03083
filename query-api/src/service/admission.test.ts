import { describe, expect, it } from "vitest";
import { ErrorCode, FleetprofError } from "@fleetprof/common";
import { Admission } from "./admission.js";

const options = { what: "query calls", runningOption: "max-concurrent-calls", queuedOption: "max-queued-calls", waitOption: "max-queue-wait" };

/** A call that runs until `finish()`. */
function held(): { promise: Promise<void>; finish: () => void } {
  let finish = (): void => undefined;
  const promise = new Promise<void>((resolve) => (finish = resolve));
  return { promise, finish };
}

async function refusal(p: Promise<unknown>): Promise<FleetprofError> {
  try {
    await p;
  } catch (err) {
    return FleetprofError.from(err);
  }
  throw new Error("admitted; expected a refusal");
}

const ctx = (): { signal: AbortSignal } => ({ signal: new AbortController().signal });

describe("Admission", () => {
  it("runs at most maxRunning, queues maxQueued in order, refuses the rest at once naming the options", async () => {
    const a = new Admission({ ...options, maxRunning: 2, maxQueued: 1, maxWaitMs: 10_000 });
    const order: string[] = [];
    const one = held();
    const two = held();
    const r1 = a.run(ctx(), () => one.promise.then(() => order.push("one")));
    const r2 = a.run(ctx(), () => two.promise.then(() => order.push("two")));
    const r3 = a.run(ctx(), async () => order.push("three"));
    expect([a.running, a.queued]).toEqual([2, 1]);
    const err = await refusal(a.run(ctx(), async () => order.push("four")));
    expect(err.code).toBe(ErrorCode.ResourceExhausted);
    expect(err.message).toMatch(/2 query calls running \(option max-concurrent-calls\) and 1 waiting \(option max-queued-calls\): retry/);
    two.finish();
    await Promise.all([r2, r3]);
    one.finish();
    await r1;
    expect(order).toEqual(["two", "three", "one"]);
    expect([a.running, a.queued]).toEqual([0, 0]);
  });

  it("refuses a call that waited maxWaitMs, and frees its place in the queue", async () => {
    const a = new Admission({ ...options, maxRunning: 1, maxQueued: 1, maxWaitMs: 50 });
    const one = held();
    const r1 = a.run(ctx(), () => one.promise);
    const err = await refusal(a.run(ctx(), async () => undefined));
    expect(err.message).toMatch(/waited 0.1 s \(option max-queue-wait\) behind 1 query calls running \(option max-concurrent-calls\)/);
    expect(a.queued).toBe(0);
    one.finish();
    await r1;
    expect(await a.run(ctx(), async () => "ran")).toBe("ran");
  });

  it("a cancelled waiter leaves the queue with its cancellation reason; a failing call frees its slot", async () => {
    const a = new Admission({ ...options, maxRunning: 1, maxQueued: 4, maxWaitMs: 10_000 });
    const one = held();
    const r1 = a.run(ctx(), () => one.promise);
    const controller = new AbortController();
    const waiting = a.run({ signal: controller.signal }, async () => "never");
    controller.abort(new FleetprofError(ErrorCode.Cancelled, "the client cancelled the call"));
    expect((await refusal(waiting)).code).toBe(ErrorCode.Cancelled);
    expect(a.queued).toBe(0);
    one.finish();
    await r1;
    await expect(a.run(ctx(), () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(a.running).toBe(0);
  });

  it("without a queue refuses at once", async () => {
    const a = new Admission({ maxRunning: 1, maxQueued: 0, maxWaitMs: 0, what: "Dump and Capture calls", runningOption: "max-control-calls" });
    const one = held();
    const r1 = a.run(ctx(), () => one.promise);
    const err = await refusal(a.run(ctx(), async () => undefined));
    expect(err.message).toBe(
      "the query API is busy: 1 Dump and Capture calls running (option max-control-calls): retry in a few seconds, with backoff; if this lasts, the operator can raise max-control-calls, or add query API replicas",
    );
    one.finish();
    await r1;
  });
});
