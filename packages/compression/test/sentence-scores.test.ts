import { describe, expect, it } from "vitest";
import {
  combineSentenceScores,
  documentRelevance,
  minMax,
  type SentenceScoring,
  zScores,
} from "../src/sentence-scores.js";

const Z: SentenceScoring = {
  normalization: "z-score",
  documentWeight: 0,
  lexicalWeight: 0,
  sentenceLexicalWeight: 0,
  contextWeight: 0,
};

describe("zScores and minMax", () => {
  it("z-scores have mean 0 and standard deviation 1; equal or single values give 0", () => {
    const z = zScores([1, 2, 3, 4]);
    expect(z.reduce((a, b) => a + b, 0)).toBeCloseTo(0, 12);
    expect(Math.sqrt(z.reduce((a, b) => a + b * b, 0) / z.length)).toBeCloseTo(1, 12);
    expect(z[3]).toBeCloseTo(3 / Math.sqrt(5), 12);
    expect(zScores([0.7, 0.7, 0.7])).toEqual([0, 0, 0]);
    expect(zScores([0.9])).toEqual([0]);
    expect(minMax([2, 4, 3])).toEqual([0, 1, 0.5]);
    expect(minMax([5, 5])).toEqual([0, 0]);
  });
});

describe("combineSentenceScores", () => {
  const cosine = [
    [0.6, 0.2, 0.4],
    [0.3, 0.35, 0.1, 0.2],
  ];

  it("z-score scores do not depend on the scale or offset of the cosines", () => {
    const scaled = cosine.map((s) => s.map((x) => 2 * x - 0.3));
    const a = combineSentenceScores({ cosine }, Z);
    const b = combineSentenceScores({ cosine: scaled }, Z);
    a.flat().forEach((x, i) => expect(b.flat()[i]).toBeCloseTo(x, 12));
    // each document's best sentence gets the same score, however similar the document is
    expect(Math.max(...a[0]!)).toBeCloseTo(Math.max(...zScores(cosine[0]!)), 12);
  });

  it("fuses sentence cosine and BM25 as a convex combination of per-document z-scores", () => {
    const lexical = [
      [0, 4, 0],
      [1, 0, 0, 0],
    ];
    const w = 0.7;
    const out = combineSentenceScores({ cosine, lexical }, { ...Z, sentenceLexicalWeight: w });
    out.forEach((s, d) => {
      const zc = zScores(cosine[d]!);
      const zb = zScores(lexical[d]!);
      s.forEach((x, i) => expect(x).toBeCloseTo((1 - w) * zc[i]! + w * zb[i]!, 12));
    });
    // the exact-word sentence overtakes the most similar one of its document
    expect(out[0]![1]!).toBeGreaterThan(out[0]![0]!);
    const dense = combineSentenceScores({ cosine, lexical }, Z);
    expect(dense[0]![0]!).toBeGreaterThan(dense[0]![1]!);
  });

  it("adds documentWeight times the fused z-score of the document's cosine and BM25", () => {
    const signals = { cosine, documentCosine: [0.7, 0.4], documentLexical: [0, 3] };
    const scoring = { ...Z, documentWeight: 2, lexicalWeight: 0.25 };
    const relevance = documentRelevance(signals, scoring);
    // z-scores of two values are -1 and 1
    expect(relevance[0]).toBeCloseTo(0.75 * 1 + 0.25 * -1, 12);
    expect(relevance[1]).toBeCloseTo(0.75 * -1 + 0.25 * 1, 12);
    const out = combineSentenceScores(signals, scoring);
    const own = combineSentenceScores({ cosine }, Z);
    out.forEach((s, d) => s.forEach((x, i) => expect(x).toBeCloseTo(own[d]![i]! + 2 * relevance[d]!, 12)));
  });

  it("bestSentenceWeight mixes the best sentence's cosine and BM25 into the document relevance", () => {
    // document 0 is the better whole document, document 1 holds the single best sentence
    const signals = {
      cosine: [
        [0.5, 0.4],
        [0.2, 0.9, 0.1],
      ],
      lexical: [
        [1, 0],
        [0, 4, 0],
      ],
      documentCosine: [0.7, 0.4],
      documentLexical: [3, 0],
    };
    const scoring = { ...Z, documentWeight: 1, lexicalWeight: 0.5 };
    const close = (got: number[], want: number[]) =>
      got.forEach((x, i) => expect(x).toBeCloseTo(want[i]!, 12));
    close(documentRelevance(signals, scoring), [1, -1]);
    const mixed = documentRelevance(signals, { ...scoring, bestSentenceWeight: 0.5 });
    // whole: [1, -1]; best sentence: cosine [0.5, 0.9] and BM25 [1, 4] both z-score to [-1, 1]
    expect(mixed[0]).toBeCloseTo(0.5 * 1 + 0.5 * -1, 12);
    expect(mixed[1]).toBeCloseTo(0.5 * -1 + 0.5 * 1, 12);
    close(documentRelevance(signals, { ...scoring, bestSentenceWeight: 1 }), [-1, 1]);
    // without sentence BM25 the best sentence counts by its cosine alone
    const { lexical: _, ...dense } = signals;
    close(documentRelevance(dense, { ...scoring, bestSentenceWeight: 1 }), [-1, 1]);
    expect(documentRelevance(dense, { ...scoring, bestSentenceWeight: 0 })).toEqual(
      documentRelevance(dense, scoring),
    );
  });

  it("contextWeight gives a sentence a share of its better neighbour's score", () => {
    const own = combineSentenceScores({ cosine }, Z);
    const out = combineSentenceScores({ cosine }, { ...Z, contextWeight: 0.5 });
    expect(out[0]![1]).toBeCloseTo(own[0]![1]! + 0.5 * Math.max(own[0]![0]!, own[0]![2]!), 12);
    expect(out[0]![0]).toBeCloseTo(own[0]![0]! + 0.5 * own[0]![1]!, 12);
    const single = combineSentenceScores(
      { cosine: [[0.5]] },
      { ...Z, normalization: "none", contextWeight: 1 },
    );
    expect(single[0]![0]).toBeCloseTo(1, 12);
  });

  it("normalization none keeps raw cosines plus min-max document relevance", () => {
    const signals = { cosine, documentCosine: [0.7, 0.4], documentLexical: [0, 3] };
    const out = combineSentenceScores(signals, {
      ...Z,
      normalization: "none",
      documentWeight: 1,
      lexicalWeight: 0.5,
    });
    expect(out[0]).toEqual(cosine[0]!.map((c) => c + 0.5));
    expect(out[1]).toEqual(cosine[1]!.map((c) => c + 0.5));
    const lexical = combineSentenceScores(
      {
        cosine,
        lexical: [
          [0, 2, 1],
          [0, 0, 0, 0],
        ],
      },
      { ...Z, normalization: "none", sentenceLexicalWeight: 0.5 },
    );
    expect(lexical[0]![1]).toBeCloseTo(0.5 * 0.2 + 0.5 * 1, 12);
    expect(lexical[1]![0]).toBeCloseTo(0.5 * 0.3, 12);
  });
});
