import { describe, expect, it } from "vitest";
import { ValidationError } from "../errors/errors.js";
import { F } from "../filter/builders.js";
import { BM25Index } from "./bm25.js";
import { createTokenizer } from "./tokenize.js";

const docs = [
  { id: "1", text: "The quick brown fox jumps over the lazy dog", metadata: { lang: "en" } },
  { id: "2", text: "A quick brown dog outpaces a quick fox", metadata: { lang: "en" } },
  { id: "3", text: "Le renard brun rapide", metadata: { lang: "fr" } },
  { id: "4", text: "Retries with exponential backoff and jitter", metadata: { lang: "en" } },
];

/** Reference BM25 straight from the formula (Lucene idf), for cross-checking. */
function reference(query: string, corpus: typeof docs, k1: number, b: number) {
  const tok = createTokenizer();
  const toks = corpus.map((d) => tok(d.text));
  const N = corpus.length;
  const avgdl = toks.reduce((s, t) => s + t.length, 0) / N;
  return corpus
    .map((d, i) => {
      let score = 0;
      for (const q of tok(query)) {
        const df = toks.filter((t) => t.includes(q)).length;
        if (df === 0) continue;
        const tf = toks[i]!.filter((t) => t === q).length;
        const idf = Math.log(1 + (N - df + 0.5) / (df + 0.5));
        score += (idf * tf * (k1 + 1)) / (tf + k1 * (1 - b + (b * toks[i]!.length) / avgdl));
      }
      return { id: d.id, score };
    })
    .filter((x) => x.score > 0)
    .sort((a, b2) => b2.score - a.score);
}

describe("tokenizer", () => {
  it("lower-cases, splits on Unicode word boundaries and drops stop words", () => {
    const tok = createTokenizer();
    expect(tok("The Quick-brown FOX, isn't it? Über café 42")).toEqual([
      "quick",
      "brown",
      "fox",
      "isn't",
      "über",
      "café",
      "42",
    ]);
    expect(createTokenizer({ stopWords: new Set(), stem: (w) => w.slice(0, 3) })("The foxes")).toEqual([
      "the",
      "fox",
    ]);
  });
});

describe("tokenizer ASCII fast path", () => {
  it("segments exactly like Intl.Segmenter on ASCII edge cases", () => {
    const seg = new Intl.Segmenter("en", { granularity: "word" });
    const reference = (t: string) =>
      [...seg.segment(t.toLowerCase())].filter((s) => s.isWordLike).map((s) => s.segment);
    const tok = createTokenizer({ stopWords: new Set() });
    const cases = [
      "isn't it 3.14 or 3,000.5; e.g. U.S.A. and a:b, x-ray, foo_bar, _x_, 'quoted' end.",
      "IL-6 TNF-alpha p<0.05 (n=1,234) 2.5mg/kg 10^5 CD4+ a'b' 'a 1'2 1;2 a;b a.1 1.a 1:2",
      "under_score __init__ a__b v1.2.3 192.168.0.1 user@example.com http://x.org/a?b=c #tag",
      "tabs\tand\nnewlines  double  spaces ... ,,, ;;; ::: '' \"\"",
    ];
    for (const text of cases) expect(tok(text)).toEqual(reference(text));
  });
});

describe("BM25Index", () => {
  it("scores as the BM25 formula with Lucene idf", () => {
    for (const [k1, b] of [
      [0.9, 0.4],
      [1.2, 0.75],
    ] as const) {
      const index = new BM25Index({ k1, b });
      index.add(docs);
      const got = index.search("quick fox dog", { k: 10 });
      const want = reference("quick fox dog", docs, k1, b);
      expect(got.map((d) => d.id)).toEqual(want.map((d) => d.id));
      got.forEach((d, i) => expect(d.score).toBeCloseTo(want[i]!.score, 10));
    }
  });

  it("gives the same scores after incremental adds and deletes as a fresh build", () => {
    const inc = new BM25Index();
    inc.add([docs[0]!, { id: "x", text: "fox fox fox noise", metadata: {} }]);
    inc.add(docs.slice(1));
    inc.delete(["x", "unknown"]);
    inc.add([{ id: "2", text: docs[1]!.text, metadata: docs[1]!.metadata }]); // replace
    const fresh = new BM25Index();
    fresh.add(docs);
    expect(inc.size).toBe(4);
    const a = inc.search("quick brown fox", { k: 10 });
    const b = fresh.search("quick brown fox", { k: 10 });
    expect(a.map((d) => d.id).sort()).toEqual(b.map((d) => d.id).sort());
    for (const d of a) expect(d.score).toBeCloseTo(b.find((x) => x.id === d.id)!.score, 10);
  });

  it("deletes by filter", () => {
    const index = new BM25Index();
    index.add(docs);
    expect(index.deleteWhere(F.eq("lang", "en"))).toBe(3);
    expect(index.size).toBe(1);
    expect(index.search("quick fox renard", { k: 10 }).map((d) => d.id)).toEqual(["3"]);
  });

  it("applies filters, returns only matching documents, validates input", () => {
    const index = new BM25Index();
    index.add(docs);
    expect(index.search("fox renard", { k: 10, filter: F.eq("lang", "fr") }).map((d) => d.id)).toEqual(["3"]);
    expect(index.search("nothing matches", { k: 10 })).toEqual([]);
    expect(index.search("the of and", { k: 10 })).toEqual([]);
    expect(() => index.search("fox", { k: -1 })).toThrowError(ValidationError);
    expect(() => new BM25Index({ b: 2 })).toThrowError(ValidationError);
    const top1 = index.search("quick", { k: 1 });
    expect(top1).toHaveLength(1);
    expect(top1[0]).toMatchObject({ id: "2", text: docs[1]!.text, metadata: { lang: "en" } });
  });
  it("keeps the documents before one whose tokenizer throws, and nothing of that one", () => {
    const tokenizer = (text: string) => {
      if (text.includes("boom")) throw new Error("tokenizer failed");
      return text.toLowerCase().split(/\s+/);
    };
    const index = new BM25Index({ tokenizer });
    expect(() =>
      index.add([docs[0]!, docs[1]!, { id: "x", text: "brand newterm boom", metadata: {} }, docs[2]!]),
    ).toThrow("tokenizer failed");
    const fresh = new BM25Index({ tokenizer });
    fresh.add([docs[0]!, docs[1]!]);
    expect(index.size).toBe(2);
    for (const q of ["quick fox", "brand newterm", "renard"]) {
      expect(index.search(q, { k: 10 })).toEqual(fresh.search(q, { k: 10 }));
    }
    expect(Buffer.from(index.serialize()).equals(Buffer.from(fresh.serialize()))).toBe(true);
    index.add([docs[2]!, docs[3]!]);
    fresh.add([docs[2]!, docs[3]!]);
    expect(index.search("renard brun backoff", { k: 10 })).toEqual(
      fresh.search("renard brun backoff", { k: 10 }),
    );
  });
});
