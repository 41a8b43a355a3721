import { describe, expect, it } from "vitest";
import { ValidationError } from "../errors/errors.js";
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

describe("TopK with a k beyond the candidates", () => {
  it("accepts k = 2**31 and 1e9 without allocating them, and grows past its first capacity", () => {
    for (const k of [2 ** 31, 1e9, Number.MAX_SAFE_INTEGER]) {
      const top = new TopK(k);
      for (let i = 0; i < 5000; i++) top.push(i % 97, i);
      expect(top.length).toBe(5000);
      const sorted = top.sorted();
      expect(sorted[0]).toEqual({ score: 96, index: 96 });
      expect(sorted.at(-1)).toEqual({ score: 0, index: 4947 });
    }
  });

  it("rejects a k that is not a non-negative integer", () => {
    for (const k of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => new TopK(k)).toThrowError(ValidationError);
    }
  });
});
