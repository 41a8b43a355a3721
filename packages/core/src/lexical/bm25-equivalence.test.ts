/**
 * The typed-array BM25 index gives exactly what the index before it gave on SciFact (5,183
 * abstracts, 809 claims): the same terms, the same top 100 (ids and scores, bit for bit) and
 * the same serialised bytes, after a fresh build, after adds, replaces and deletes, with a
 * stemmer and with a custom tokenizer. The expectations were frozen from that index.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SCIFACT_DIR } from "../../../../test/services.js";
import type { Document } from "../types/document.js";
import { BM25Index } from "./bm25.js";
import { bytesDigest, churn, digest, rankingDigests } from "./bm25-equivalence.testkit.js";
import { createTokenizer } from "./tokenize.js";

const expected = JSON.parse(readFileSync(join(import.meta.dirname, "bm25-scifact-expected.json"), "utf8"));
const jsonl = (file: string) =>
  readFileSync(join(SCIFACT_DIR, file), "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Record<string, string>);
const docs: Document[] = jsonl("corpus.jsonl").map((d) => ({
  id: d._id!,
  text: `${d.title} ${d.text}`,
  metadata: { title: d.title! },
}));
const queries = jsonl("queries.jsonl").map((q) => q.text!);
const every = (n: number) => queries.filter((_, i) => i % n === 0);

describe("BM25Index on SciFact, against the frozen expectations", () => {
  it("analyses every abstract and claim into the same terms", () => {
    const texts = [...docs.map((d) => d.text), ...queries];
    expect(texts.length).toBe(5183 + 809);
    expect(digest(texts.map(createTokenizer()))).toBe(expected.terms.en);
    expect(digest(texts.map(createTokenizer({ locale: "tr" })))).toBe(expected.terms.tr);
    const stemmed = createTokenizer({ stem: (w) => w.slice(0, 5), stopWords: new Set(["the", "of"]) });
    expect(digest(texts.map(stemmed))).toBe(expected.terms.stem);
    const index = new BM25Index();
    expect(digest(texts.map((t) => index.terms(t)))).toBe(expected.terms.en);
  });

  it("ranks and scores the same after a fresh build, and serialises to the same bytes", () => {
    const index = new BM25Index();
    index.add(docs);
    expect(index.search(queries[0]!, { k: 3 }).map((h) => [h.id, h.score])).toEqual(expected.fresh.top3);
    expect(rankingDigests(index, queries, 100)).toEqual(expected.fresh.k100);
    const bytes = index.serialize();
    expect(bytesDigest(bytes)).toBe(expected.fresh.bytes);
    expect(rankingDigests(BM25Index.deserialize(bytes), queries, 100)).toEqual(expected.fresh.k100);
  });

  it("ranks, scores and serialises the same after adds, replaces and deletes", () => {
    const index = new BM25Index({ k1: 1.2, b: 0.75 });
    churn(index, docs);
    expect(index.size).toBe(expected.churned.size);
    expect(rankingDigests(index, every(4), 100)).toEqual(expected.churned.k100);
    expect(bytesDigest(index.serialize())).toBe(expected.churned.bytes);
    const reloaded = BM25Index.deserialize(index.serialize());
    expect(rankingDigests(reloaded, every(4), 100)).toEqual(expected.churned.k100);
  });

  it("ranks and serialises the same with a stemmer and with a custom tokenizer", () => {
    const stemmed = new BM25Index({ stem: (w) => w.slice(0, 5) });
    stemmed.add(docs);
    expect(rankingDigests(stemmed, every(8), 100)).toEqual(expected.stemmed.k100);
    expect(bytesDigest(stemmed.serialize())).toBe(expected.stemmed.bytes);
    const custom = new BM25Index({ tokenizer: (t) => t.toLowerCase().split(/\s+/).filter(Boolean) });
    custom.add(docs);
    expect(rankingDigests(custom, every(8), 100)).toEqual(expected.custom.k100);
    expect(bytesDigest(custom.serialize())).toBe(expected.custom.bytes);
  });
});
