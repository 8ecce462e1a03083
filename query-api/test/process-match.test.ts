/**
 * Selectors over the processes agents report, evaluated by ClickHouse (`matchLabelSets`): the
 * same meaning as over samples, RE2 regexes, anchored; a missing label reads as "".
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { matchLabelSets, openStore, type LabelSet, type Store } from "@fleetprof/store";
import { tempDir } from "@fleetprof/test";
import { selectorToFilter } from "../src/index.js";

let store: Store;
beforeAll(async () => {
  store = await openStore(`chdb://${tempDir("fleetprof-process-match-")}`);
}, 60_000);
afterAll(async () => {
  await store?.close();
});

const api: LabelSet = { service: "api", version: "1.5.2", host: "web-1", pid: 42, mode: "cpu", labels: { team: "pay" } };
const matches = async (selector: string, set: LabelSet = api): Promise<boolean> => (await matchLabelSets(store, selectorToFilter(selector), [set]))[0] === true;

describe("matchLabelSets", () => {
  it("evaluates every operator like the sample filter, anchored, a missing label reading as empty", async () => {
    expect(await matches("")).toBe(true);
    expect(await matches('api{version=~"1\\\\.5.*", host!="web-2", team="pay", pid="42", mode="cpu"}')).toBe(true);
    expect(await matches('{version=~"1\\\\.5"}')).toBe(false);
    expect(await matches('{service!~"a.*"}')).toBe(false);
    expect(await matches('{thread="MainThread"}')).toBe(false);
    expect(await matches('{thread!="MainThread", capture_id=""}')).toBe(true);
    expect(await matches('{zone=~".*"}')).toBe(true);
    expect(await matches('{zone=~".+"}')).toBe(false);
    expect(await matches('{pid=~"4."}')).toBe(true);
  });

  it("speaks RE2: flags, named groups, \\Q…\\E, Unicode classes", async () => {
    expect(await matches('{service=~"(?i)API"}')).toBe(true);
    expect(await matches('{version=~"(?P<major>1)\\\\.5\\\\.\\\\d"}')).toBe(true);
    expect(await matches('{host=~"\\\\Qweb-1\\\\E"}')).toBe(true);
    expect(await matches('{host=~"\\\\Qweb.1\\\\E"}')).toBe(false);
    expect(await matches('{team=~"\\\\pL+"}')).toBe(true);
  });

  it("answers for many sets at once, in order, and matches a backtracking trap in linear time", async () => {
    const sets = Array.from({ length: 3000 }, (_, i): LabelSet => ({
      ...api,
      host: i % 2 === 0 ? `${"a".repeat(29 + (i % 7))}!` : "a".repeat(30),
      pid: i,
      labels: { note: "x".repeat(200) },
    }));
    const got = await matchLabelSets(store, selectorToFilter('{host=~"(a+)+$"}'), sets);
    expect(got).toEqual(sets.map((s) => !s.host.endsWith("!")));
  });
});
