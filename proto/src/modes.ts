/**
 * Profile modes by name: how flags, config files, selectors and the stored `mode` label spell
 * the wire's `ProfileMode`. The one mapping between the two.
 */
import { ProfileMode } from "./gen/fleetprof/v1/samples_pb.js";

/** A sampling mode as people write it: on-CPU, wall clock (idle threads too) or GIL holders. */
export type ModeName = "cpu" | "wall" | "gil";

/** Every mode name, in the order of the enum. */
export const MODE_NAMES: readonly ModeName[] = ["cpu", "wall", "gil"];

/** The mode a request means when it leaves the mode unspecified. */
export const DEFAULT_MODE: ModeName = "cpu";

/** The wire value of each mode name. */
export const PROFILE_MODES: Readonly<Record<ModeName, ProfileMode>> = {
  cpu: ProfileMode.CPU,
  wall: ProfileMode.WALL,
  gil: ProfileMode.GIL,
};

/** The wire value of a mode name. */
export function profileMode(name: ModeName): ProfileMode {
  return PROFILE_MODES[name];
}

/**
 * The name of a wire value: undefined for UNSPECIFIED and for values this build does not know
 * (a newer peer's), so each caller decides what those mean.
 */
export function modeName(mode: ProfileMode): ModeName | undefined {
  switch (mode) {
    case ProfileMode.CPU:
      return "cpu";
    case ProfileMode.WALL:
      return "wall";
    case ProfileMode.GIL:
      return "gil";
    default:
      return undefined;
  }
}
