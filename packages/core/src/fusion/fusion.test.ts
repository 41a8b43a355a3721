import { describe, expect, it } from "vitest";
import { ValidationError } from "../errors/errors.js";
import { reciprocalRankFusion, weightedScoreFusion } from "./fusion.js";

const d = (id: string, score: number) => ({ id, text: id, metadata: {}, score });

describe("reciprocalRankFusion", () => {
  it("sums 1/(k + rank) over lists (Cormack et al. 2009)", () => {
    const fused = reciprocalRankFusion([
      [d("a", 0.9), d("b", 0.8), d("c", 0.1)],
      [d("c", 12), d("a", 3)],
    ]);
    const byId = Object.fromEntries(fused.map((x) => [x.id, x.score]));
    expect(byId.a).toBeCloseTo(1 / 61 + 1 / 62, 12);
    expect(byId.b).toBeCloseTo(1 / 62, 12);
    expect(byId.c).toBeCloseTo(1 / 63 + 1 / 61, 12);
    expect(fused.map((x) => x.id)).toEqual(["a", "c", "b"]);
  });

  it("honours k, weights and limit", () => {
    const fused = reciprocalRankFusion([[d("a", 1)], [d("b", 1)]], { k: 0, weights: [1, 2], limit: 1 });
    expect(fused).toEqual([{ ...d("b", 1), score: 2 }]);
    expect(() => reciprocalRankFusion([[d("a", 1)]], { weights: [1, 2] })).toThrowError(ValidationError);
  });

  it("does not mutate its inputs", () => {
    const list = [d("a", 0.5)];
    reciprocalRankFusion([list, list]);
    expect(list[0]!.score).toBe(0.5);
  });
});

describe("weightedScoreFusion", () => {
  it("min-max normalises each list, then sums with weights", () => {
    const fused = weightedScoreFusion(
      [
        [d("a", 0.9), d("b", 0.7), d("c", 0.5)],
        [d("c", 20), d("a", 10)],
      ],
      { weights: [0.5, 0.5] },
    );
    const byId = Object.fromEntries(fused.map((x) => [x.id, x.score]));
    expect(byId.a).toBeCloseTo(0.5 * 1 + 0.5 * 0, 12);
    expect(byId.b).toBeCloseTo(0.5 * 0.5, 12);
    expect(byId.c).toBeCloseTo(0.5 * 0 + 0.5 * 1, 12);
  });

  it("z-score normalises each list; a document missing from a list gets that list's lowest z-score", () => {
    const fused = weightedScoreFusion(
      [
        [d("a", 3), d("b", 2), d("c", 1)],
        [d("c", 10), d("a", 0)],
      ],
      { weights: [0.5, 0.5], normalization: "z-score" },
    );
    const z = Math.sqrt(3 / 2); // (3 - 2) / sd of [3, 2, 1]
    const byId = Object.fromEntries(fused.map((x) => [x.id, x.score]));
    expect(byId.a).toBeCloseTo(0.5 * z + 0.5 * -1, 12);
    expect(byId.b).toBeCloseTo(0.5 * 0 + 0.5 * -1, 12);
    expect(byId.c).toBeCloseTo(0.5 * -z + 0.5 * 1, 12);
    expect(fused.map((x) => x.id)).toEqual(["a", "c", "b"]);
  });

  it("gives 0 to a list of equal scores under z-score and rejects an unknown normalization", () => {
    const fused = weightedScoreFusion([[d("a", 5), d("b", 5)]], { normalization: "z-score" });
    expect(fused.map((x) => x.score)).toEqual([0, 0]);
    expect(() =>
      weightedScoreFusion([[d("a", 1)]], { normalization: "rank" as unknown as "z-score" }),
    ).toThrowError(ValidationError);
  });
});
