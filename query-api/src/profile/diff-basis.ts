/**
 * Apples to apples: a diff compares two sides sampled in the same mode (a wall-clock share
 * counts waiting threads, a CPU share does not), and says how it dealt with their sampling
 * rates (compared in seconds where it counts seconds, as shares of samples otherwise).
 */
import { ErrorCode, FleetprofError } from "@fleetprof/common";

export interface DiffBasis {
  baseMode: string;
  mode: string;
  baseRates: number[];
  rates: number[];
  ratesNormalised: boolean;
  note: string;
}

function invalid(message: string): FleetprofError {
  return new FleetprofError(ErrorCode.InvalidArgument, message);
}

/** The one mode of a side's samples ("" when it has none); several modes are refused. */
export function sideMode(modes: readonly string[], side: "baseline" | "comparison"): string {
  const distinct = [...new Set(modes)].sort();
  if (distinct.length > 1) {
    throw invalid(
      `the ${side} holds samples taken in different modes (${distinct.join(", ")}): their shares mean different things; add one mode to the ${side} selector, e.g. {mode="${distinct[0] ?? "cpu"}"}`,
    );
  }
  return distinct[0] ?? "";
}

/** Checks the modes and describes the rates. `unit` is what the diff compares: seconds or samples. */
export function diffBasis(
  baseModes: readonly string[],
  modes: readonly string[],
  baseRates: number[],
  rates: number[],
  unit: "seconds" | "samples",
): DiffBasis {
  const baseMode = sideMode(baseModes, "baseline");
  const mode = sideMode(modes, "comparison");
  if (baseMode !== "" && mode !== "" && baseMode !== mode) {
    throw invalid(
      `the baseline was sampled in ${baseMode} mode and the comparison in ${mode} mode: their shares cannot be compared (wall mode counts waiting threads, cpu and gil do not); add the same mode to both selectors, e.g. {mode="${mode}"}`,
    );
  }
  const hz = (list: number[]): string => (list.length === 0 ? "unknown rate" : `${list.join(", ")} Hz`);
  const all = new Set([...baseRates, ...rates]);
  const differ = all.size > 1;
  const shown = baseMode === mode || mode === "" ? baseMode || mode : `${baseMode} and ${mode}`;
  let note: string;
  if (all.size === 0) note = `${shown || "no"} samples on both sides, sampling rates unknown (no window coverage): samples compared as they are`;
  else if (!differ) note = `both sides ${shown} at ${hz([...all])}: shares compared directly`;
  else if (unit === "seconds")
    note = `${shown} samples at different rates (baseline ${hz(baseRates)}, comparison ${hz(rates)}): converted to seconds (samples ÷ rate) before comparing`;
  else
    note = `${shown} samples at different rates (baseline ${hz(baseRates)}, comparison ${hz(rates)}): this graph compares shares of samples, each side by its own total; top functions and the version report compare seconds`;
  return { baseMode, mode, baseRates, rates, ratesNormalised: differ && unit === "seconds", note };
}
