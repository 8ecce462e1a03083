import { describe, expect, it } from "vitest";
import { expandSelector } from "./selector.js";

describe("expandSelector", () => {
  it("turns a bare service name into a service selector", () => {
    expect(expandSelector("api")).toBe('{service="api"}');
    expect(expandSelector("shop-demo")).toBe('{service="shop-demo"}');
  });
  it("reads name@version", () => {
    expect(expandSelector("shop@1.0")).toBe('{service="shop", version="1.0"}');
  });
  it("reads name{more}", () => {
    expect(expandSelector('api{host!="h3"}')).toBe('{service="api", host!="h3"}');
    expect(expandSelector("api{}")).toBe('{service="api"}');
  });
  it("passes full selectors through", () => {
    expect(expandSelector('{version=~"1\\\\.5.*"}')).toBe('{version=~"1\\\\.5.*"}');
  });
  it("explains what it expected", () => {
    expect(() => expandSelector("a b")).toThrow(/expected a service name/);
    expect(() => expandSelector("api@")).toThrow(/version after @/);
  });
});
