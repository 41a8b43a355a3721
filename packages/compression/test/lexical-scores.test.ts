import { BM25Index } from "@ragloom/core";
import { describe, expect, it } from "vitest";
import { bm25Scores } from "../src/lexical-scores.js";
import { DOCS, QUERY } from "./fixtures.js";

describe("bm25Scores", () => {
  it("gives the scores of core's BM25Index over the same texts", () => {
    const texts = [...DOCS.map((d) => d.text), "The tower, the tower and the tower again.", ""];
    const index = new BM25Index();
    index.add(texts.map((text, i) => ({ id: String(i), text, metadata: {} })));
    const expected = texts.map(() => 0);
    for (const hit of index.search(QUERY, { k: texts.length })) expected[Number(hit.id)] = hit.score;
    const got = bm25Scores(QUERY, texts);
    expect(got).toHaveLength(texts.length);
    got.forEach((s, i) => expect(s).toBeCloseTo(expected[i]!, 10));
    expect(got[2]).toBe(0);
    expect(got[0]).toBeGreaterThan(0);
  });

  it("scores nothing for a query of stop words only or no texts", () => {
    expect(bm25Scores("the of and", ["the tower"])).toEqual([0]);
    expect(bm25Scores(QUERY, [])).toEqual([]);
  });
});
