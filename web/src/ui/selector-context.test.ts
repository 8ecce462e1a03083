import { describe, expect, it } from "vitest";
import { accept, completionAt, rank } from "./selector-context.js";

describe("selector completion", () => {
  it("knows what the caret is in", () => {
    expect(completionAt("sho", 3)).toEqual({ kind: "service", prefix: "sho", start: 0 });
    expect(completionAt("{", 1)).toEqual({ kind: "name", prefix: "", start: 1 });
    expect(completionAt('{service="shop", ver', 20)).toEqual({ kind: "name", prefix: "ver", start: 17 });
    expect(completionAt('{service="sh', 12)).toEqual({ kind: "value", label: "service", prefix: "sh", start: 10 });
    expect(completionAt('{host!~"web-', 12)).toEqual({ kind: "value", label: "host", prefix: "web-", start: 8 });
    expect(completionAt('{service="shop"}', 16)).toBeUndefined();
  });

  it("inserts names with their operator and values with their closing quote", () => {
    const name = completionAt("{ver", 4);
    expect(name && accept("{ver", 4, name, "version")).toEqual({ text: '{version="', caret: 10 });
    const value = completionAt('{version="1', 11);
    expect(value && accept('{version="1', 11, value, "1.0")).toEqual({ text: '{version="1.0"', caret: 14 });
    const inside = completionAt('{version="1"}', 11);
    expect(inside && accept('{version="1"}', 11, inside, 'a"b')).toEqual({ text: '{version="a\\"b"}', caret: 15 });
  });

  it("ranks suggestions starting with what was typed first", () => {
    expect(rank(["api-shop", "shop", "shop-demo", "worker"], "shop")).toEqual(["shop-demo", "api-shop"]);
    expect(rank(["b", "a"], "")).toEqual(["b", "a"]);
  });
});
