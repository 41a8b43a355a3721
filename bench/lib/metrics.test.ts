import { describe, expect, it } from "vitest";
import { meanMetric, ndcgAt, percentile, recallAt } from "./metrics.js";

describe("BEIR-style metrics", () => {
  const rels = new Map([
    ["a", 2],
    ["b", 1],
    ["c", 0],
  ]);
  it("computes nDCG@k with linear gain and log2 discount (trec_eval ndcg_cut)", () => {
    // DCG = 1/log2(2) [b at rank 1] + 2/log2(4) [a at rank 3]; IDCG = 2/log2(2) + 1/log2(3)
    const dcg = 1 / Math.log2(2) + 2 / Math.log2(4);
    const idcg = 2 / Math.log2(2) + 1 / Math.log2(3);
    expect(ndcgAt(["b", "x", "a"], rels, 10)).toBeCloseTo(dcg / idcg, 12);
    expect(ndcgAt(["a", "b"], rels, 10)).toBeCloseTo(1, 12);
    expect(ndcgAt(["x", "a"], rels, 1)).toBe(0);
    expect(ndcgAt([], rels, 10)).toBe(0);
    expect(ndcgAt(["a"], new Map([["a", 0]]), 10)).toBe(0);
  });
  it("computes Recall@k and means over queries with qrels", () => {
    expect(recallAt(["a", "x", "b"], rels, 2)).toBe(0.5);
    expect(recallAt(["a", "x", "b"], rels, 3)).toBe(1);
    const qrels = new Map([
      ["q1", rels],
      ["q2", new Map([["z", 1]])],
    ]);
    const run = new Map([["q1", ["a", "b"]]]); // q2 missing → scores 0
    expect(meanMetric(run, qrels, (r, g) => ndcgAt(r, g, 10))).toBeCloseTo(0.5, 12);
  });
  it("takes nearest-rank percentiles", () => {
    expect(percentile([5, 1, 3, 2, 4], 50)).toBe(3);
    expect(percentile([5, 1, 3, 2, 4], 95)).toBe(5);
  });
});
