import { describe, expect, it } from "vitest";
import { aggregate, scoreSummary } from "./scoring.js";

describe("parent scoring", () => {
  it("takes the max (MaxP) or the sum (CombSUM) of child scores", () => {
    expect(aggregate([0.2, 0.9, 0.5], "max")).toBe(0.9);
    expect(aggregate([0.2, 0.9, 0.5], "sum")).toBeCloseTo(1.6, 12);
    expect(aggregate([-0.3], "max")).toBe(-0.3);
    expect(
      scoreSummary([
        { id: "a", score: 0.4 },
        { id: "b", score: 0.6 },
      ]),
    ).toEqual({ max: 0.6, sum: 1 });
  });
});
