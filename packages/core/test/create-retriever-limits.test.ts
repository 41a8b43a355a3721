/**
 * The retriever's own limits and input checks: internal filters are batched (12,000 documents
 * in one add and one delete), `k` is capped by `maxK`, unknown modes, unsearchable queries and
 * non-finite query vectors are ValidationErrors, an abort is always ragloom's AbortError, and
 * `fingerprint` identifies the configuration.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AbortError,
  BM25Index,
  createRetriever,
  type Document,
  type Embedder,
  InMemoryVectorStore,
  type Reranker,
  ValidationError,
  type VectorStore,
} from "../src/index.js";
import type { TransformersEmbedder } from "../src/transformers.js";
import { createHashingEmbedder } from "./production/hashing-embedder.js";
import { instrumentedEmbedder, loadMiniLM, OTHERS } from "./retriever-fixtures.js";

let minilm: TransformersEmbedder;
beforeAll(async () => {
  minilm = await loadMiniLM();
});
afterAll(async () => {
  await minilm?.dispose?.();
});

describe("internal batching", () => {
  it("adds, re-adds and deletes 12,000 documents without hitting the filter limits", async () => {
    const store = new InMemoryVectorStore({ dimensions: 64 });
    const r = createRetriever({
      embedder: createHashingEmbedder(64),
      store,
      lexical: true,
      splitter: false,
      batchSize: 500,
    });
    const docs: Document[] = Array.from({ length: 12_000 }, (_, i) => ({
      id: `d${i}`,
      // rare terms only: the point is the filter sizes, not BM25's cost of removing common terms
      text: `n${i} t${i % 97}`,
      metadata: {},
    }));
    const first = await r.add(docs);
    expect(first.written).toHaveLength(12_000);
    expect(first.chunks).toBe(12_000);
    expect(await store.count()).toBe(12_000);
    const changed = await r.add(docs.map((d) => ({ ...d, text: `${d.text} revised` })));
    expect(changed.written).toHaveLength(12_000);
    expect(await store.count()).toBe(12_000);
    expect(r.lexical!.size).toBe(12_000);
    await r.delete(docs.map((d) => d.id));
    expect(await store.count()).toBe(0);
    expect(r.lexical!.size).toBe(0);
  });
});

describe("retrieve input checks", () => {
  const make = (extra: Partial<Parameters<typeof createRetriever>[0]> = {}) =>
    createRetriever({
      embedder: minilm,
      store: new InMemoryVectorStore({ dimensions: 384 }),
      lexical: true,
      splitter: false,
      ...extra,
    });

  it("caps k with maxK", async () => {
    const r = make();
    await r.add(OTHERS);
    for (const k of [1e9, 2 ** 31, 10_001, 1.5, Number.NaN]) {
      await expect(r.retrieve("cache", { k })).rejects.toBeInstanceOf(ValidationError);
    }
    expect((await r.retrieve("cache", { k: 10_000 })).documents).toHaveLength(2);
    const small = make({ maxK: 5 });
    await expect(small.retrieve("cache", { k: 6 })).rejects.toThrow(/k must be an integer in \[1, 5\]/);
    expect(() => make({ maxK: 5, k: 6 })).toThrow(ValidationError);
    expect(() => make({ maxK: 0 })).toThrow(ValidationError);
  });

  it("rejects an unknown mode instead of running lexical", async () => {
    const r = make();
    await r.add(OTHERS);
    await expect(r.retrieve("cache", { mode: "bogus" as never })).rejects.toThrow(/mode must be one of/);
    expect(() => make({ mode: "bogus" as never })).toThrow(ValidationError);
  });

  it("rejects queries of only zero-width, format or control characters", async () => {
    const r = make();
    await r.add(OTHERS);
    for (const q of [
      "\u200B",
      "\u2060\u200F\uFEFF",
      "\u200B \u200C\u200D",
      "\u00AD\u0000\u2061",
      "\u202E\u202C",
    ]) {
      await expect(r.retrieve(q)).rejects.toThrow(/query has no searchable characters/);
    }
    // a query with a real character among them is fine
    expect((await r.retrieve("\u200Bcache\uFEFF", { k: 1 })).documents[0]!.metadata.parentId).toBe("redis");
  });

  it("rejects a NaN or Infinity query vector before searching", async () => {
    const emb = instrumentedEmbedder(minilm);
    let queries = 0;
    const inner = new InMemoryVectorStore({ dimensions: 384 });
    const store: VectorStore = Object.assign(Object.create(inner) as InMemoryVectorStore, {
      query: (v: Float32Array, o: Parameters<VectorStore["query"]>[1]) => {
        queries++;
        return inner.query(v, o);
      },
    });
    const r = createRetriever({ embedder: emb.embedder, store: inner, splitter: false });
    await r.add(OTHERS);
    const guarded = createRetriever({ embedder: emb.embedder, store, splitter: false });
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      const v = new Float32Array(384).fill(0.05);
      v[7] = bad;
      emb.plan.queryVector = v;
      await expect(guarded.retrieve("cache")).rejects.toThrow(/non-finite/);
      await expect(r.retrieve("cache")).rejects.toBeInstanceOf(ValidationError);
    }
    expect(queries).toBe(0);
  });

  it("always surfaces an abort as ragloom's AbortError (retrieve, add, delete)", async () => {
    const r = make();
    await r.add(OTHERS);
    const aborted = AbortSignal.abort();
    const isAbort = (e: unknown) => e instanceof AbortError && !(e instanceof DOMException);
    expect(isAbort(await r.retrieve("cache", { signal: aborted }).catch((e: unknown) => e))).toBe(true);
    expect(
      isAbort(await r.add([{ id: "x", text: "y", metadata: {} }], { signal: aborted }).catch((e) => e)),
    ).toBe(true);
    expect(isAbort(await r.delete(["redis"], { signal: aborted }).catch((e: unknown) => e))).toBe(true);
    // aborted while the query is being embedded
    const controller = new AbortController();
    const slow: Embedder = {
      ...minilm,
      modelId: minilm.modelId,
      dimensions: 384,
      normalized: true,
      embedDocuments: (t, o) => minilm.embedDocuments(t, o),
      embedQuery: async (t, o) => {
        controller.abort();
        o?.signal?.throwIfAborted();
        return minilm.embedQuery(t, o);
      },
    };
    const r2 = createRetriever({ embedder: slow, store: r.store, splitter: false });
    const error = await r2.retrieve("cache", { signal: controller.signal }).catch((e: unknown) => e);
    expect(isAbort(error)).toBe(true);
    expect((error as AbortError).cause).toBeInstanceOf(DOMException);
    expect((await r.retrieve("cache", { k: 1 })).documents).toHaveLength(1);
  });
});

describe("fingerprint", () => {
  it("is stable for one configuration and store scope and changes with anything that changes answers", () => {
    const store = new InMemoryVectorStore({ dimensions: 384 });
    const base = { embedder: minilm, store, lexical: true } as const;
    const fp = createRetriever(base).fingerprint;
    expect(fp).toMatch(/^[0-9a-f]{32}$/);
    expect(createRetriever(base).fingerprint).toBe(fp);
    expect(createRetriever({ ...base, lexical: new BM25Index() }).fingerprint).toBe(fp);
    const reranker: Reranker = { rerank: async (_q, docs) => docs };
    for (const other of [
      { ...base, store: new InMemoryVectorStore({ dimensions: 384 }) }, // no scope: per instance
      { ...base, mode: "dense" as const },
      { ...base, fusion: { method: "weighted" as const } },
      { ...base, fusion: { method: "rrf" as const } },
      { ...base, fusion: { method: "rrf" as const, k: 10 } },
      { ...base, k: 5 },
      { ...base, candidates: 50 },
      { ...base, reranker },
      { ...base, lexical: { k1: 1.2, b: 0.75 } },
      { ...base, lexical: { stopWords: new Set<string>() } },
      { ...base, embedder: { ...createHashingEmbedder(384), modelId: "another-model" } },
    ]) {
      expect(createRetriever(other).fingerprint).not.toBe(fp);
    }
    // stores that declare the same scope are the same data
    const scoped = (scope: string): VectorStore =>
      Object.assign(Object.create(new InMemoryVectorStore({ dimensions: 384 })) as VectorStore, { scope });
    const a = createRetriever({ ...base, store: scoped("chroma:http://db:8000/t/d/docs") }).fingerprint;
    expect(createRetriever({ ...base, store: scoped("chroma:http://db:8000/t/d/docs") }).fingerprint).toBe(a);
    expect(
      createRetriever({ ...base, store: scoped("chroma:http://db:8000/t/d/other") }).fingerprint,
    ).not.toBe(a);
  });
});
