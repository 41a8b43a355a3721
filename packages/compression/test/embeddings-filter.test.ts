import { InMemoryVectorStore, ValidationError } from "@ragloom/core";
import type { TransformersEmbedder } from "@ragloom/core/transformers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CompressionWarning, createEmbeddingsFilter, type VectorStats } from "../src/index.js";
import { countingEmbedder, DOCS, loadEmbedder, QUERY } from "./fixtures.js";

let embedder: TransformersEmbedder;
beforeAll(async () => {
  embedder = await loadEmbedder();
});
afterAll(async () => {
  await embedder.dispose?.();
});

describe("createEmbeddingsFilter", () => {
  it("keeps the top-k documents, in input order, unchanged", async () => {
    const out = await createEmbeddingsFilter({ embedder, k: 2 }).compress(DOCS, QUERY);
    expect(out.map((d) => d.id)).toEqual(["eiffel", "paris"]);
    expect(out[0]).toBe(DOCS[0]);
  });

  it("keeps documents above a threshold; order 'similarity' sorts best first", async () => {
    const reversed = [...DOCS].reverse();
    const out = await createEmbeddingsFilter({
      embedder,
      similarityThreshold: 0.3,
      order: "similarity",
    }).compress(reversed, QUERY);
    expect(out.map((d) => d.id)).not.toContain("fruit");
    expect(out[0]!.id).toBe("eiffel");
  });

  it("reuses carried vectors instead of re-embedding", async () => {
    const vectors = await embedder.embedDocuments(DOCS.map((d) => d.text));
    const withVectors = DOCS.map((d, i) => ({ ...d, vector: vectors[i]! }));
    const { embedder: counted, calls } = countingEmbedder(embedder);
    let stats: VectorStats | undefined;
    const out = await createEmbeddingsFilter({
      embedder: counted,
      k: 1,
      onVectors: (s) => (stats = s),
    }).compress(withVectors, QUERY);
    expect(out.map((d) => d.id)).toEqual(["eiffel"]);
    expect(calls.documents).toBe(0);
    expect(stats).toEqual({ carried: 3, fetched: 0, embedded: 0 });
  });

  it("fetches stored vectors by id when the text matches, and embeds the rest", async () => {
    const store = new InMemoryVectorStore({ dimensions: embedder.dimensions });
    const vectors = await embedder.embedDocuments(DOCS.map((d) => d.text));
    await store.upsert(DOCS.map((d, i) => ({ ...d, vector: vectors[i]! })));
    const changed = DOCS.map((d) => (d.id === "paris" ? { ...d, text: "Paris has the Eiffel Tower." } : d));
    const { embedder: counted, calls } = countingEmbedder(embedder);
    let stats: VectorStats | undefined;
    await createEmbeddingsFilter({ embedder: counted, store, k: 3, onVectors: (s) => (stats = s) }).compress(
      changed,
      QUERY,
    );
    expect(stats).toEqual({ carried: 0, fetched: 2, embedded: 1 });
    expect(calls.documents).toBe(1);
  });

  it("re-embeds a vector of the wrong length and warns", async () => {
    const warnings: CompressionWarning[] = [];
    const bad = { ...DOCS[0]!, vector: new Float32Array(3) };
    const out = await createEmbeddingsFilter({ embedder, k: 1, onWarning: (w) => warnings.push(w) }).compress(
      [bad],
      QUERY,
    );
    expect(out).toHaveLength(1);
    expect(warnings.map((w) => w.code)).toEqual(["vector-ignored"]);
  });

  it("keeps a share of the documents with ratio, and applies threshold together with it", async () => {
    const two = await createEmbeddingsFilter({ embedder, ratio: 0.5 }).compress(DOCS, QUERY);
    expect(two.map((d) => d.id)).toEqual(["eiffel", "paris"]); // ceil(0.5 · 3)
    const one = await createEmbeddingsFilter({ embedder, ratio: 0.3 }).compress(DOCS, QUERY);
    expect(one.map((d) => d.id)).toEqual(["eiffel"]);
    const strict = await createEmbeddingsFilter({ embedder, ratio: 1, threshold: 0.3 }).compress(DOCS, QUERY);
    expect(strict.map((d) => d.id)).not.toContain("fruit");
    const legacy = await createEmbeddingsFilter({ embedder, similarityThreshold: 0.3 }).compress(DOCS, QUERY);
    expect(legacy.map((d) => d.id)).toEqual(strict.map((d) => d.id));
  });

  it("validates its options", () => {
    expect(() => createEmbeddingsFilter({ embedder })).toThrow(ValidationError);
    expect(() => createEmbeddingsFilter({ embedder, k: 0 })).toThrow(ValidationError);
    expect(() => createEmbeddingsFilter({ embedder, ratio: 0 })).toThrow(ValidationError);
    expect(() => createEmbeddingsFilter({ embedder, ratio: 1.5 })).toThrow(ValidationError);
    expect(() => createEmbeddingsFilter({ embedder, threshold: 0.2, similarityThreshold: 0.3 })).toThrow(
      ValidationError,
    );
    expect(createEmbeddingsFilter({ embedder, ratio: 0.5 }).name).toBe("embeddings-filter(ratio=0.5)");
  });
});
