import { createRetriever, InMemoryVectorStore, ValidationError } from "@ragloom/core";
import type { TransformersEmbedder } from "@ragloom/core/transformers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type CompressionInfo,
  createEmbeddingsFilter,
  createRedundancyFilter,
  createSentenceExtractor,
  createTokenBudget,
  loadTiktokenTokenizer,
  pipeline,
  withCompression,
} from "../src/index.js";
import { DOCS, isOrderedSubset, loadEmbedder, QUERY } from "./fixtures.js";

let embedder: TransformersEmbedder;
beforeAll(async () => {
  embedder = await loadEmbedder();
});
afterAll(async () => {
  await embedder.dispose?.();
});

/** Ten documents: the fixtures plus variations, with distinctive metadata. */
const corpus = [
  ...DOCS,
  ...DOCS.map((d, i) => ({
    ...d,
    id: `${d.id}-${i}`,
    text: `${d.text} Added note ${i}: this copy was revised in ${2000 + i}.`,
    metadata: { ...d.metadata, copy: i },
  })),
  {
    id: "louvre",
    score: 0.5,
    metadata: { source: "wiki", tags: ["museum", "paris"] },
    text: "The Louvre is the world's most-visited museum. It houses the Mona Lisa.",
  },
];

describe("pipeline", () => {
  it("keeps input order, ids and metadata through every stage", async () => {
    const tokenizer = await loadTiktokenTokenizer("cl100k_base");
    const c = pipeline(
      createRedundancyFilter({ embedder, threshold: 0.99 }),
      createEmbeddingsFilter({ embedder, similarityThreshold: 0 }),
      createSentenceExtractor({ embedder, select: { by: "fraction", fraction: 0.6 } }),
      createTokenBudget({ maxTokens: 120, tokenizer, onWarning: () => {} }),
    );
    expect(c.name).toMatch(/^pipeline\(redundancy-filter.*→.*token-budget/);
    const out = await c.compress(corpus, QUERY);
    expect(out.length).toBeGreaterThan(0);
    const positions = out.map((d) => corpus.findIndex((x) => x.id === d.id));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    for (const d of out) {
      const orig = corpus.find((x) => x.id === d.id)!;
      expect(d.metadata).toEqual(orig.metadata);
      expect(d.score).toBe(orig.score);
      expect(isOrderedSubset(orig.text, d.text)).toBe(true);
    }
    expect(out.reduce((s, d) => s + tokenizer.count(d.text), 0)).toBeLessThanOrEqual(120);
  });

  it("needs at least one stage", () => {
    expect(() => pipeline()).toThrow(ValidationError);
  });
});

describe("withCompression", () => {
  it("returns a retriever whose results report tokens before and after", async () => {
    const store = new InMemoryVectorStore({ dimensions: embedder.dimensions });
    const retriever = createRetriever({ embedder, store, splitter: false, k: 5 });
    await retriever.add(corpus.map(({ score: _s, ...d }) => d));
    const compressed = withCompression(
      retriever,
      createSentenceExtractor({ embedder, select: { by: "count", count: 1 } }),
    );
    const plain = await retriever.retrieve(QUERY, { k: 5 });
    const res = await compressed.retrieve(QUERY, { k: 5 });
    const info = res.info!.compression as CompressionInfo;
    const tok = await loadTiktokenTokenizer("cl100k_base");
    expect(info.tokenizer).toBe("tiktoken:cl100k_base");
    expect(info.tokensBefore).toBe(plain.documents.reduce((s, d) => s + tok.count(d.text), 0));
    expect(info.tokensAfter).toBe(res.documents.reduce((s, d) => s + tok.count(d.text), 0));
    expect(info.tokensAfter).toBeLessThan(info.tokensBefore);
    expect(info.reduction).toBeCloseTo(1 - info.tokensAfter / info.tokensBefore, 10);
    expect(info.documentsBefore).toBe(5);
    expect(res.documents.map((d) => d.id)).toEqual(plain.documents.map((d) => d.id));
    expect(res.documents.map((d) => d.metadata)).toEqual(plain.documents.map((d) => d.metadata));
    expect(res.timings.compress).toBeGreaterThanOrEqual(0);
    expect(res.timings.total).toBeGreaterThanOrEqual(res.timings.compress!);
  });
});
