import { cosineSimilarity, type Reranker, type ScoredDocument, ValidationError } from "@ragloom/core";
import type { TransformersEmbedder } from "@ragloom/core/transformers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRerankerCompressor } from "../src/index.js";
import { DOCS, loadEmbedder, QUERY } from "./fixtures.js";

let embedder: TransformersEmbedder;
/** A real (bi-encoder) reranker: cosine similarity of MiniLM embeddings. */
let reranker: Reranker;
beforeAll(async () => {
  embedder = await loadEmbedder();
  reranker = {
    async rerank(query, documents, options) {
      const q = await embedder.embedQuery(query, options);
      const v = await embedder.embedDocuments(
        documents.map((d) => d.text),
        options,
      );
      const scored: ScoredDocument[] = documents.map((d, i) => ({ ...d, score: cosineSimilarity(q, v[i]!) }));
      return scored.sort((a, b) => b.score - a.score).slice(0, options?.k ?? scored.length);
    },
  };
});
afterAll(async () => {
  await embedder.dispose?.();
});

describe("createRerankerCompressor", () => {
  it("keeps the top-n by reranker score, best first, with the reranker's score", async () => {
    const docs = [DOCS[2]!, DOCS[1]!, DOCS[0]!];
    const out = await createRerankerCompressor({ reranker, topN: 2 }).compress(docs, QUERY);
    expect(out.map((d) => d.id)).toEqual(["eiffel", "paris"]);
    expect(out[0]!.score).not.toBe(DOCS[0]!.score);
    expect(out[0]!.metadata).toEqual(DOCS[0]!.metadata);
  });

  it("order 'input' keeps input order and original scores; minScore drops weak ones", async () => {
    const docs = [DOCS[2]!, DOCS[1]!, DOCS[0]!];
    const out = await createRerankerCompressor({ reranker, topN: 3, order: "input", minScore: 0.3 }).compress(
      docs,
      QUERY,
    );
    expect(out.map((d) => d.id)).toEqual(["paris", "eiffel"]);
    expect(out[1]).toBe(DOCS[0]);
  });

  it("validates topN", () => {
    expect(() => createRerankerCompressor({ reranker, topN: 0 })).toThrow(ValidationError);
  });
});
