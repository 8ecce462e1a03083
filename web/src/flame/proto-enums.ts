/**
 * The generated enums' values that the browser code uses, as plain constants: importing an
 * enum from the generated module (@fleetprof/proto/query) would put that module, and with it
 * the protobuf runtime, into the app's first script. `proto-enums.test.ts` checks every
 * value against the generated enums.
 */
import type { ExportFormat as ExportFormatEnum, NodeKind as NodeKindEnum, Presence as PresenceEnum, SortBy as SortByEnum } from "@fleetprof/proto/query";

export const SortBy = { SELF: 1 as SortByEnum.SELF, TOTAL: 2 as SortByEnum.TOTAL } as const;
export const NodeKind = { ROOT: 1 as NodeKindEnum.ROOT, FRAME: 2 as NodeKindEnum.FRAME, OTHER: 3 as NodeKindEnum.OTHER } as const;
export const Presence = { BOTH: 1 as PresenceEnum.BOTH, BASE_ONLY: 2 as PresenceEnum.BASE_ONLY, COMPARISON_ONLY: 3 as PresenceEnum.COMPARISON_ONLY } as const;
export const ExportFormat = {
  PPROF: 1 as ExportFormatEnum.PPROF,
  COLLAPSED: 2 as ExportFormatEnum.COLLAPSED,
  SPEEDSCOPE: 3 as ExportFormatEnum.SPEEDSCOPE,
} as const;

/** An export format's name as the generated enum spells it ("PPROF"), or "" for another value. */
export function exportFormatName(format: number): string {
  return Object.entries(ExportFormat).find(([, v]) => (v as number) === format)?.[0] ?? "";
}
