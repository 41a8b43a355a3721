/**
 * Reranking mechanics (batching, threshold, k, order, rerankDepth) on a real model used as the pair
 * scorer (all-MiniLM-L6-v2 cosine), and the cross-encoder loader's own checks. No cross-encoder
 * weights can be had on the machines this suite runs on, so the cross-encoder's scores themselves
 * are not asserted here.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requireModelDir } from "../../../test/services.js";
import { AbortError, ServiceError, ValidationError } from "../src/errors/errors.js";
import { cosineSimilarity } from "../src/math/vector.js";
import { createScoreReranker, type PairScorer } from "../src/rerankers/score-reranker.js";
import { createRetriever } from "../src/retriever/create-retriever.js";
import { InMemoryVectorStore } from "../src/stores/in-memory-vector-store.js";
import {
  createCrossEncoderReranker,
  createTransformersEmbedder,
  longestFirst,
  type TransformersEmbedder,
} from "../src/transformers.js";
import type { ScoredDocument } from "../src/types/document.js";

let embedder: TransformersEmbedder;
const batches: number[] = [];
/** Cosine similarity of the real MiniLM embeddings of query and text, recording batch sizes. */
const scorer: PairScorer = async (query, texts, options) => {
  batches.push(texts.length);
  const [q, vs] = await Promise.all([
    embedder.embedQuery(query, options),
    embedder.embedDocuments(texts, options),
  ]);
  return vs.map((v) => cosineSimilarity(q, v));
};

beforeAll(async () => {
  embedder = await createTransformersEmbedder({
    localModelPath: requireModelDir(),
    offline: true,
    dtype: "q8",
  });
});
afterAll(async () => {
  await embedder.dispose?.();
});

const QUERY = "How tall is the Eiffel Tower?";
const DOCS: ScoredDocument[] = [
  { id: "fruit", score: 0.9, metadata: {}, text: "Apples and oranges are fruits." },
  { id: "louvre", score: 0.8, metadata: {}, text: "The Louvre is a museum in Paris." },
  { id: "eiffel", score: 0.7, metadata: { k: 1 }, text: "The Eiffel Tower is 330 metres tall." },
  { id: "height", score: 0.6, metadata: {}, text: "The tower in Paris reaches a height of 330 m." },
  { id: "cars", score: 0.5, metadata: {}, text: "Cars need fuel or electricity." },
];

describe("createScoreReranker", () => {
  it("orders by score in batches, replaces the score, keeps every other field, returns at most k", async () => {
    batches.length = 0;
    const reranker = createScoreReranker(scorer, { batchSize: 2 });
    const out = await reranker.rerank(QUERY, DOCS, { k: 3 });
    expect(batches).toEqual([2, 2, 1]);
    expect(out).toHaveLength(3);
    expect(out[0]!.id).toBe("eiffel");
    expect(out.map((d) => d.id)).toContain("height");
    expect(out.map((d) => d.score)).toEqual([...out.map((d) => d.score)].sort((a, b) => b - a));
    expect(out[0]).toEqual({ ...DOCS[2], score: out[0]!.score });
    expect(out[0]!.score).not.toBe(DOCS[2]!.score);
    expect(DOCS[2]!.score).toBe(0.7); // input not mutated
    expect(await reranker.rerank(QUERY, DOCS)).toHaveLength(5);
  });

  it("drops documents below the threshold", async () => {
    const all = await createScoreReranker(scorer).rerank(QUERY, DOCS);
    const cut = (all[1]!.score + all[2]!.score) / 2;
    const out = await createScoreReranker(scorer, { threshold: cut }).rerank(QUERY, DOCS);
    expect(out.map((d) => d.id)).toEqual(all.slice(0, 2).map((d) => d.id));
    expect(await createScoreReranker(scorer, { threshold: 2 }).rerank(QUERY, DOCS)).toEqual([]);
  });

  it("keeps input order on ties and rejects bad options, bad scorers and aborted calls", async () => {
    const flat = createScoreReranker(async (_q, texts) => texts.map(() => 1));
    expect((await flat.rerank(QUERY, DOCS)).map((d) => d.id)).toEqual(DOCS.map((d) => d.id));
    expect(() => createScoreReranker(scorer, { batchSize: 0 })).toThrow(ValidationError);
    expect(() => createScoreReranker(scorer, { threshold: Number.NaN })).toThrow(ValidationError);
    await expect(createScoreReranker(scorer).rerank(QUERY, DOCS, { k: 0 })).rejects.toThrow(ValidationError);
    const short = createScoreReranker(async () => [1]);
    await expect(short.rerank(QUERY, DOCS)).rejects.toThrow(/1 scores for 5 texts/);
    const ac = new AbortController();
    ac.abort();
    await expect(
      createScoreReranker(scorer).rerank(QUERY, DOCS, { signal: ac.signal }),
    ).rejects.toMatchObject({ name: "AbortError" });
    const reason = new AbortError();
    const ac2 = new AbortController();
    ac2.abort(reason);
    await expect(createScoreReranker(scorer).rerank(QUERY, DOCS, { signal: ac2.signal })).rejects.toBe(
      reason,
    );
  });

  it("reranks exactly the retriever's top rerankDepth candidates", async () => {
    const store = new InMemoryVectorStore({ dimensions: embedder.dimensions });
    const seen: string[][] = [];
    const inner = createScoreReranker(scorer);
    const retriever = createRetriever({
      embedder,
      store,
      splitter: false,
      k: 2,
      rerankDepth: 3,
      reranker: {
        rerank: (q, docs, o) => {
          seen.push(docs.map((d) => d.id));
          return inner.rerank(q, docs, o);
        },
      },
    });
    await retriever.add(DOCS.map(({ score: _s, ...d }) => d));
    const plain = await store.query(await embedder.embedQuery(QUERY), { k: 3 });
    const res = await retriever.retrieve(QUERY);
    expect(seen).toEqual([plain.map((d) => d.id)]);
    expect(res.documents).toHaveLength(2);
    expect(res.timings.rerank).toBeGreaterThanOrEqual(0);
  });
});

describe("longestFirst", () => {
  /** Hugging Face tokenizers' loop: take one token off the longer sequence (the second on a tie). */
  const reference = (a: number, b: number, budget: number): [number, number] => {
    while (a + b > budget) {
      if (a > b) a--;
      else b--;
    }
    return [a, b];
  };
  it("cuts like the Hugging Face longest_first loop", () => {
    for (let a = 0; a <= 24; a++)
      for (let b = 0; b <= 24; b++)
        for (const budget of [0, 1, 5, 10, 11, 24]) {
          expect(longestFirst(a, b, budget), `${a} ${b} ${budget}`).toEqual(reference(a, b, budget));
        }
  });
});

describe("createCrossEncoderReranker", () => {
  it("fails with a ServiceError naming the model when it is not in the local folder", async () => {
    const empty = mkdtempSync(join(tmpdir(), "ragloom-ce-"));
    try {
      const err = await createCrossEncoderReranker({ localModelPath: empty, offline: true }).catch((e) => e);
      expect(err).toBeInstanceOf(ServiceError);
      expect((err as Error).message).toMatch(/Xenova\/ms-marco-MiniLM-L-6-v2/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it("refuses a model without a one-logit classification head (a sentence embedder)", async () => {
    const err = await createCrossEncoderReranker({
      model: "Xenova/all-MiniLM-L6-v2",
      localModelPath: requireModelDir(),
      offline: true,
      dtype: "q8",
    })
      .then((r) => r.score(QUERY, ["The Eiffel Tower is 330 metres tall."]))
      .catch((e) => e);
    expect(err).toBeInstanceOf(ServiceError);
    expect((err as Error).message).toMatch(/logit|label/);
  });

  it("validates its options before loading anything", async () => {
    await expect(createCrossEncoderReranker({ batchSize: 0 })).rejects.toThrow(ValidationError);
    await expect(createCrossEncoderReranker({ maxLength: 4 })).rejects.toThrow(ValidationError);
    await expect(createCrossEncoderReranker({ threshold: Number.NaN })).rejects.toThrow(ValidationError);
    // biome-ignore lint/suspicious/noExplicitAny: deliberately invalid input
    await expect(createCrossEncoderReranker({ activation: "softmax" as any })).rejects.toThrow(
      ValidationError,
    );
  });
});
