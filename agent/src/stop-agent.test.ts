import { describe, expect, it } from "vitest";
import { recordingLogger } from "./testing/recording-logger.js";
import { stopAgent, type RunningAgent } from "./stop-agent.js";

/** A promise the test settles by hand. */
function later(): { promise: Promise<void>; settle: () => void } {
  let settle!: () => void;
  const promise = new Promise<void>((r) => (settle = r));
  return { promise, settle };
}

const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

function agent(events: string[], slow: ReturnType<typeof later>): RunningAgent {
  const step = (name: string) => (): void => void events.push(name);
  return {
    halt: step("halt"),
    control: { close: step("close control") },
    captures: {
      stop: async (ms) => {
        events.push(`stop captures ${String(ms)}`);
      },
    },
    samplers: new Map([
      ["1:1", { finish: async (ms: number) => void events.push(`finish 1 ${String(ms)}`) }],
      [
        "2:1",
        {
          finish: async (ms: number) => {
            events.push(`finish 2 ${String(ms)}`);
            await slow.promise;
            events.push("window 2 written");
          },
        },
      ],
    ]),
    batcher: { flush: step("flush") },
    publisher: { stop: async (ms) => void events.push(`stop publisher ${String(ms)}`) },
    metricsServer: { close: async () => void events.push("close metrics") },
    files: { remove: step("remove files") },
    log: recordingLogger().log,
  };
}

describe("stopping the agent", () => {
  it("flushes the windows py-spy writes at stop, and only then stops the publisher", async () => {
    const events: string[] = [];
    const slow = later();
    const stopped = stopAgent(agent(events, slow), 3000);
    await tick();
    expect(events).toEqual(["halt", "close control", "stop captures 3000", "finish 1 3000", "finish 2 3000"]);
    slow.settle();
    await stopped;
    expect(events.slice(5)).toEqual(["window 2 written", "flush", "stop publisher 3000", "close metrics", "remove files"]);
  });
});
