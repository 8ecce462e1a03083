import { describe, expect, it } from "vitest";
import { benjaminiHochberg } from "./false-discovery.js";
import { tCritical, tTwoSided } from "./student-t.js";

describe("Student's t", () => {
  it("gives the textbook quantiles and tail probabilities", () => {
    expect(tCritical(1)).toBeCloseTo(12.7062, 3);
    expect(tCritical(10)).toBeCloseTo(2.2281, 4);
    expect(tCritical(30)).toBeCloseTo(2.0423, 4);
    expect(tCritical(Infinity)).toBeCloseTo(1.95996, 4);
    expect(tCritical(9.5)).toBeGreaterThan(tCritical(10));
    expect(tTwoSided(2, 5)).toBeCloseTo(0.10194, 5);
    expect(tTwoSided(3, Infinity)).toBeCloseTo(0.0026998, 6);
    expect(tTwoSided(0, 7)).toBeCloseTo(1, 10);
    for (const df of [2, 4.7, 50]) expect(tTwoSided(tCritical(df), df)).toBeCloseTo(0.05, 8);
  });
});

describe("Benjamini–Hochberg", () => {
  it("rejects up to the largest rank under its line, ties and all", () => {
    expect(Array.from(benjaminiHochberg([0.01, 0.04, 0.03, 0.005, 0.5]))).toEqual([1, 1, 1, 1, 0]);
    // step-up: 0.02 is above 1·q/4 but the largest p under the line (rank 4) carries it
    expect(Array.from(benjaminiHochberg([0.02, 0.03, 0.04, 0.045]))).toEqual([1, 1, 1, 1]);
    expect(Array.from(benjaminiHochberg([0.02, 0.03, 0.04, 0.06]))).toEqual([0, 0, 0, 0]);
    expect(Array.from(benjaminiHochberg([0.001, 0.001, 0.9]))).toEqual([1, 1, 0]);
    expect(Array.from(benjaminiHochberg([]))).toEqual([]);
  });
});
