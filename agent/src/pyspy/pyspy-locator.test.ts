import { describe, expect, it } from "vitest";
import { recordingLogger } from "../testing/recording-logger.js";
import { FIRST_LOCATE_RETRY_MS, PySpyLocator } from "./pyspy-locator.js";

/** A locator whose clock and search the test controls; `found` is what the search finds. */
function harness(): {
  locator: PySpyLocator;
  clock: { t: number };
  calls: () => number;
  install: (path: string | undefined) => void;
  lines: ReturnType<typeof recordingLogger>["lines"];
} {
  const clock = { t: 1_000_000 };
  let found: string | undefined;
  let calls = 0;
  const { log, lines } = recordingLogger();
  const locator = new PySpyLocator({
    explicit: undefined,
    log,
    clock: { now: () => clock.t },
    locate: () => {
      calls++;
      if (found === undefined) throw new Error("py-spy is not installed: install it with `pip install py-spy`");
      return found;
    },
  });
  return { locator, clock, calls: () => calls, install: (p) => (found = p), lines };
}

describe("finding py-spy", () => {
  it("uses the binary it finds and does not search again while it has one", () => {
    const h = harness();
    h.install("/usr/bin/py-spy");
    h.locator.locate();
    h.locator.locate();
    expect(h.locator.path).toBe("/usr/bin/py-spy");
    expect(h.calls()).toBe(1);
    expect(h.lines.map((l) => [l.level, l.msg])).toEqual([["info", "using py-spy"]]);
  });

  it("logs a missing py-spy once with the fix, and looks again after 60 s, then 120 s", () => {
    const h = harness();
    h.locator.locate();
    h.clock.t += FIRST_LOCATE_RETRY_MS - 1;
    h.locator.locate();
    expect(h.calls()).toBe(1);
    h.clock.t += 1;
    h.locator.locate();
    expect(h.calls()).toBe(2);
    h.clock.t += 2 * FIRST_LOCATE_RETRY_MS - 1;
    h.locator.locate();
    expect(h.calls()).toBe(2);
    h.clock.t += 1;
    h.install("/opt/py-spy");
    h.locator.locate();
    expect(h.locator.path).toBe("/opt/py-spy");
    const errors = h.lines.filter((l) => l.level === "error");
    expect(errors.map((l) => l.msg)).toEqual(["py-spy is not installed: install it with `pip install py-spy`; looking again every 60s"]);
  });

  it("caps the wait between searches at 10 minutes", () => {
    const h = harness();
    const waits: number[] = [];
    for (let i = 0; i < 8; i++) {
      const before = h.calls();
      let waited = 0;
      while (h.calls() === before) {
        h.locator.locate();
        if (h.calls() === before) {
          h.clock.t += 1000;
          waited += 1000;
        }
      }
      waits.push(waited);
    }
    expect(waits).toEqual([0, 60_000, 120_000, 240_000, 480_000, 600_000, 600_000, 600_000]);
  });

  it("looks again at once when a run finds py-spy gone, and the wait starts over after a success", () => {
    const h = harness();
    h.locator.locate();
    h.locator.locate();
    expect(h.calls()).toBe(1);
    h.install("/usr/bin/py-spy");
    h.locator.lost();
    h.locator.locate();
    expect(h.locator.path).toBe("/usr/bin/py-spy");
    h.install(undefined);
    h.locator.lost();
    expect(h.locator.path).toBeUndefined();
    h.locator.locate();
    h.clock.t += FIRST_LOCATE_RETRY_MS;
    h.locator.locate();
    expect(h.calls()).toBe(4);
  });
});
