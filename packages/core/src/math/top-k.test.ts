import { describe, expect, it } from "vitest";
import { TopK } from "./top-k.js";

describe("TopK", () => {
  it("keeps the k largest, best first, ties by lower index", () => {
    let seed = 7;
    const rand = () => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    const scores = Array.from({ length: 1000 }, () => Math.round(rand() * 50) / 10);
    for (const k of [0, 1, 5, 37, 1000, 2000]) {
      const top = new TopK(Math.min(k, scores.length));
      scores.forEach((s, i) => top.push(s, i));
      const expected = scores
        .map((score, index) => ({ score, index }))
        .sort((a, b) => b.score - a.score || a.index - b.index)
        .slice(0, k);
      expect(top.sorted()).toEqual(expected);
    }
  });
});
