import { describe, expect, it } from "vitest";
import { ProfileMode } from "./gen/fleetprof/v1/samples_pb.js";
import { MODE_NAMES, modeName, profileMode } from "./modes.js";

describe("profile modes", () => {
  it("maps every name to its wire value and back", () => {
    expect(MODE_NAMES.map(profileMode)).toEqual([ProfileMode.CPU, ProfileMode.WALL, ProfileMode.GIL]);
    for (const name of MODE_NAMES) expect(modeName(profileMode(name))).toBe(name);
  });

  it("names no mode for UNSPECIFIED or a value this build does not know", () => {
    expect(modeName(ProfileMode.UNSPECIFIED)).toBeUndefined();
    expect(modeName(9 as ProfileMode)).toBeUndefined();
  });

  it("has a name for every value of the enum but UNSPECIFIED", () => {
    const values = Object.values(ProfileMode).filter((v): v is ProfileMode => typeof v === "number" && v !== ProfileMode.UNSPECIFIED);
    expect(values).toHaveLength(MODE_NAMES.length);
    for (const v of values) expect(modeName(v), `ProfileMode ${String(v)}`).toBeDefined();
  });
});
