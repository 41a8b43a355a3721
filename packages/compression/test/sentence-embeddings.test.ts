import { createRetriever, InMemoryVectorStore } from "@ragloom/core";
import type { TransformersEmbedder } from "@ragloom/core/transformers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createRedundancyFilter,
  createSentenceExtractor,
  createTokenBudget,
  pipeline,
  withCompression,
  withSentenceEmbeddings,
  wordTokenizer,
} from "../src/index.js";
import { countingEmbedder, DOCS, loadEmbedder, QUERY, sentencesOf } from "./fixtures.js";

let base: TransformersEmbedder;
beforeAll(async () => {
  base = await loadEmbedder();
});
afterAll(async () => {
  await base.dispose?.();
});

const docs = DOCS.map(({ score: _s, ...d }) => d);

describe("withSentenceEmbeddings", () => {
  it("embeds chunks and their sentences at ingest, so compression makes no model call", async () => {
    const { embedder: counted, calls } = countingEmbedder(base);
    const embedder = withSentenceEmbeddings(counted);
    const retriever = createRetriever({
      embedder,
      store: new InMemoryVectorStore({ dimensions: 384 }),
      splitter: false,
    });
    await retriever.add(docs);
    const sentences = new Set(docs.flatMap((d) => sentencesOf(d.text)));
    expect(calls.documents).toBe(docs.length + sentences.size);

    const compressor = pipeline(
      createRedundancyFilter({ embedder, level: "sentence", threshold: 0.95 }),
      createSentenceExtractor({ embedder, select: { by: "ratio", ratio: 0.5 }, scope: "all" }),
      createTokenBudget({ maxTokens: 40, tokenizer: wordTokenizer, embedder }),
    );
    const compressed = withCompression(retriever, compressor, { includeVectors: false });
    calls.documents = 0;
    calls.queries = 0;
    const first = await compressed.retrieve(QUERY, { k: 3 });
    expect(calls.documents).toBe(0);
    expect(calls.queries).toBe(1); // the retriever's; the compressors find it in the cache
    expect(first.documents.length).toBeGreaterThan(0);
    await compressed.retrieve(QUERY, { k: 3 });
    expect(calls.queries).toBe(1);

    // the same result as embedding everything on the spot
    const inner = createRetriever({
      embedder: base,
      store: new InMemoryVectorStore({ dimensions: 384 }),
      splitter: false,
    });
    await inner.add(docs);
    const reference = await withCompression(
      inner,
      pipeline(
        createRedundancyFilter({ embedder: base, level: "sentence", threshold: 0.95 }),
        createSentenceExtractor({ embedder: base, select: { by: "ratio", ratio: 0.5 }, scope: "all" }),
        createTokenBudget({ maxTokens: 40, tokenizer: wordTokenizer, embedder: base }),
      ),
    ).retrieve(QUERY, { k: 3 });
    expect(first.documents.map((d) => [d.id, d.text])).toEqual(
      reference.documents.map((d) => [d.id, d.text]),
    );
  });

  it("embeds on demand what the cache does not hold, once", async () => {
    const { embedder: counted, calls } = countingEmbedder(base);
    const embedder = withSentenceEmbeddings(counted);
    const c = createSentenceExtractor({ embedder, select: { by: "count", count: 1 } });
    await c.compress(DOCS, QUERY);
    const firstCost = calls.documents;
    expect(firstCost).toBeGreaterThan(0);
    await c.compress(DOCS, QUERY);
    expect(calls.documents).toBe(firstCost);
    expect(embedder.modelId).toBe(base.modelId);
    expect(embedder.dimensions).toBe(base.dimensions);
  });
});
