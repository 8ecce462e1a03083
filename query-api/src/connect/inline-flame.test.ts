import { describe, expect, it } from "vitest";
import { explorePageRequest } from "./inline-flame.js";

const NOW = 1_796_334_285_328;
const at = (path: string) => explorePageRequest(new URL(path, "http://page"), NOW);

describe("the Explore page's inline flame graph request", () => {
  it("is the request the preload script sends: selector, range resolved once, nodes", () => {
    const r = at(`/explore?q=${encodeURIComponent('{service="shop"}')}&from=now-15m&nodes=20000`);
    expect(r?.range).toEqual({ startMs: NOW - 900_000, endMs: NOW });
    expect(r?.request.selector).toBe('{service="shop"}');
    expect(r?.request.range?.startUnixMs).toBe(BigInt(NOW - 900_000));
    expect(r?.request.range?.endUnixMs).toBe(BigInt(NOW));
    expect(r?.request.maxNodes).toBe(20_000);
    expect(at("/explore")?.range).toEqual({ startMs: NOW - 3_600_000, endMs: NOW });
    expect(at("/explore?from=1796247885328&to=1796334285328")?.range).toEqual({ startMs: 1_796_247_885_328, endMs: 1_796_334_285_328 });
  });

  it("leaves other pages, and dates only the browser's time zone resolves, to the browser", () => {
    expect(at("/services")).toBeUndefined();
    expect(at("/explore?from=2026-12-02T14:05")).toBeUndefined();
    expect(at("/explore?to=yesterday")).toBeUndefined();
  });
});
