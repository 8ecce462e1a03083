import { describe, expect, it } from "vitest";
import { captureDoneSubject, CONTROL_VERBS, controlSubject, fleetStatusSubject } from "./control-subjects.js";

describe("control subjects", () => {
  it("puts a capture's outcome under its host's capture subject", () => {
    expect(captureDoneSubject("web-1.prod", "5f0c-9a")).toBe("fleetprof.ctl.web-1_prod.capture.5f0c-9a.done");
  });

  it("has one fleet-wide status subject every agent answers", () => {
    expect(fleetStatusSubject()).toBe("fleetprof.ctl.all.status");
  });

  it("gives each verb its own subject under the host's token", () => {
    expect(CONTROL_VERBS.map((v) => controlSubject("web 1", v))).toEqual([
      "fleetprof.ctl.web_1.capture",
      "fleetprof.ctl.web_1.dump",
      "fleetprof.ctl.web_1.status",
    ]);
  });

  it("keeps a capture id from adding subject tokens or wildcards", () => {
    expect(captureDoneSubject("h", "a.b>*")).toBe("fleetprof.ctl.h.capture.a_b__.done");
  });
});
