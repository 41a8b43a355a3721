import { describe, expect, it } from "vitest";
import { AbortError, FilterError, ValidationError } from "../errors/errors.js";
import { F } from "../filter/builders.js";
import type { Document } from "../types/document.js";
import { BM25Index } from "./bm25.js";
import { createTokenizer } from "./tokenize.js";

const WORDS = [
  "retry",
  "backoff",
  "breaker",
  "cache",
  "vector",
  "filter",
  "index",
  "query",
  "token",
  "score",
];
let seed = 3;
const rand = () => {
  seed = (seed * 16807) % 2147483647;
  return seed / 2147483647;
};
const docs: Document[] = Array.from({ length: 400 }, (_, i) => ({
  id: `d${i}`,
  text: Array.from(
    { length: 5 + Math.floor(rand() * 20) },
    () => WORDS[Math.floor(rand() * WORDS.length)],
  ).join(" "),
  metadata: { group: i % 4 },
}));
const QUERIES = [
  "retry backoff",
  "vector index query",
  "cache",
  "score token filter breaker",
  "nothing here",
];

function fresh() {
  const index = new BM25Index();
  index.add(docs);
  return index;
}

function expectSameAsFresh(index: BM25Index) {
  const reference = fresh();
  for (const q of QUERIES) {
    for (const options of [{ k: 10 }, { k: 1000 }, { k: 5, filter: F.eq("group", 1) }]) {
      expect(index.search(q, options)).toEqual(reference.search(q, options));
    }
  }
}

describe("BM25Index.search with a k beyond the candidates", () => {
  it("returns every match for k = 1e9 or 2**31 (no RangeError) and stays correct afterwards", () => {
    const index = fresh();
    const all = index.search("retry", { k: 1000 });
    expect(all.length).toBeGreaterThan(100);
    for (const k of [1e9, 2 ** 31, Number.MAX_SAFE_INTEGER])
      expect(index.search("retry", { k })).toEqual(all);
    expectSameAsFresh(index);
  });

  it("rejects a k that is not a non-negative integer with a ValidationError, leaving the index as it was", () => {
    const index = fresh();
    for (const k of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, "10", undefined]) {
      expect(() => index.search("retry backoff", { k: k as never })).toThrowError(ValidationError);
    }
    expect(index.search("retry", { k: 0 })).toEqual([]);
    expectSameAsFresh(index);
  });
});

describe("BM25Index scratch state after a failed search", () => {
  it("an invalid filter throws a FilterError; later searches are those of a fresh index", () => {
    const index = fresh();
    expect(() => index.search("retry backoff", { k: 10, filter: { op: "regex" } as never })).toThrowError(
      FilterError,
    );
    expectSameAsFresh(index);
  });

  it("an abort between query terms throws; later searches are those of a fresh index", () => {
    const index = fresh();
    // a signal that turns aborted after two terms have been accumulated
    let reads = 0;
    const signal = {
      get aborted() {
        return ++reads > 3;
      },
      reason: new AbortError("stop"),
    } as unknown as AbortSignal;
    expect(() => index.search("retry backoff cache vector", { k: 10, signal })).toThrowError("stop");
    expect(reads).toBeGreaterThan(3);
    expectSameAsFresh(index);
  });

  it("a tokenizer that throws on one query leaves later searches correct", () => {
    const base = createTokenizer();
    const index = new BM25Index({
      tokenizer: (text) => {
        if (text.includes("boom")) throw new Error("tokenizer failed");
        return base(text);
      },
    });
    index.add(docs);
    expect(() => index.search("retry boom", { k: 10 })).toThrowError("tokenizer failed");
    expectSameAsFresh(index);
  });

  it("many searches in a row (epochs) and interleaved adds and deletes stay exact", () => {
    const index = fresh();
    for (let i = 0; i < 200; i++) index.search(QUERIES[i % QUERIES.length]!, { k: 3 });
    index.delete(["d1", "d2"]);
    index.add([docs[1]!, docs[2]!]);
    const reference = fresh();
    for (const q of QUERIES) {
      const got = index.search(q, { k: 400 });
      const want = reference.search(q, { k: 400 });
      expect(got.map((d) => d.id).sort()).toEqual(want.map((d) => d.id).sort());
      for (const d of got) expect(d.score).toBeCloseTo(want.find((w) => w.id === d.id)!.score, 12);
    }
  });
});
