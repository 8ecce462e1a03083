import { describe, expect, it } from "vitest";
import * as generated from "@fleetprof/proto/query";
import { ExportFormat, exportFormatName, NodeKind, Presence, SortBy } from "./proto-enums.js";

describe("the enum values the browser code uses", () => {
  it("are the generated enums' values", () => {
    const cases: [Record<string, number>, Record<string, unknown>][] = [
      [SortBy, generated.SortBy],
      [NodeKind, generated.NodeKind],
      [Presence, generated.Presence],
      [ExportFormat, generated.ExportFormat],
    ];
    for (const [mine, theirs] of cases) for (const [name, value] of Object.entries(mine)) expect(theirs[name], name).toBe(value);
  });
});

describe("exportFormatName", () => {
  it("is the generated enum's name of the value", () => {
    for (const f of [generated.ExportFormat.PPROF, generated.ExportFormat.COLLAPSED, generated.ExportFormat.SPEEDSCOPE])
      expect(exportFormatName(f)).toBe(generated.ExportFormat[f]);
  });
});
