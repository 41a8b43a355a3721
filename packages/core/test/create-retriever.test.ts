import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requireModelDir, startChroma, stopAllServices } from "../../../test/services.js";
import { createChromaVectorStore } from "../src/chroma.js";
import type { Document } from "../src/index.js";
import {
  AbortError,
  createEventBus,
  createRetriever,
  F,
  FilterError,
  IngestError,
  InMemoryVectorStore,
  RecursiveTextSplitter,
  ValidationError,
} from "../src/index.js";
import { createTransformersEmbedder, type TransformersEmbedder } from "../src/transformers.js";

const docs: Document[] = [
  {
    id: "retry",
    text: "Retries with exponential backoff. When a request fails with a transient error, wait and try again, doubling the delay each time and adding random jitter so that clients do not retry in lockstep.",
    metadata: { package: "p-retry", year: 2023, tags: ["resilience"] },
  },
  {
    id: "breaker",
    text: "A circuit breaker stops calling a failing dependency. After five failures the breaker opens and calls fail fast; after a reset timeout it lets one trial call through (half-open) and closes if it succeeds.",
    metadata: { package: "opossum", year: 2022, tags: ["resilience"] },
  },
  {
    id: "lru",
    text: "An LRU cache evicts the least recently used entry when it is full. Entries may carry a time to live after which they expire.",
    metadata: { package: "lru-cache", year: 2024, tags: ["cache"] },
  },
  {
    id: "vitamin",
    text: "Vitamin D supplementation in older adults was associated with fewer hip fractures in a randomized controlled trial of 2,000 participants.",
    metadata: { package: "none", year: 2019, tags: ["medicine"] },
  },
];

let embedder: TransformersEmbedder;
let chromaUrl: string;
beforeAll(async () => {
  embedder = await createTransformersEmbedder({
    localModelPath: requireModelDir(),
    offline: true,
    dtype: "q8",
  });
  chromaUrl = (await startChroma()).url;
});
afterAll(stopAllServices);

describe("createRetriever", () => {
  it("answers dense, lexical and hybrid queries with per-stage timings", async () => {
    const r = createRetriever({
      embedder,
      store: new InMemoryVectorStore({ dimensions: 384 }),
      lexical: true,
      k: 2,
    });
    const progress: number[] = [];
    const { chunks, written, unchanged } = await r.add(docs, { onProgress: (p) => progress.push(p.done) });
    expect(chunks).toBeGreaterThanOrEqual(docs.length);
    expect(written).toEqual(docs.map((d) => d.id));
    expect(unchanged).toEqual([]);
    expect(progress.at(-1)).toBe(chunks);
    for (const mode of ["dense", "lexical", "hybrid"] as const) {
      const res = await r.retrieve("what happens after repeated failures of a dependency? circuit breaker", {
        mode,
      });
      expect(res.documents[0]!.metadata.parentId).toBe("breaker");
      expect(res.documents.length).toBeLessThanOrEqual(2);
      expect(res.timings.total).toBeGreaterThan(0);
    }
    const withVectors = await r.retrieve("exponential backoff jitter", {
      mode: "dense",
      includeVectors: true,
    });
    expect((withVectors.documents[0] as { vector?: Float32Array }).vector).toHaveLength(384);
    const hybrid = await r.retrieve("exponential backoff jitter");
    expect(Object.keys(hybrid.timings).sort()).toEqual(["embed", "fuse", "lexical", "search", "total"]);
    expect(hybrid.documents[0]!.metadata.parentId).toBe("retry");
  });

  it("filters in every mode and rejects bad input with typed errors", async () => {
    const r = createRetriever({
      embedder,
      store: new InMemoryVectorStore({ dimensions: 384 }),
      lexical: true,
    });
    await r.add(docs);
    for (const mode of ["dense", "lexical", "hybrid"] as const) {
      const res = await r.retrieve("failures retries breaker cache", {
        mode,
        filter: F.contains("tags", "cache"),
        k: 5,
      });
      expect(res.documents.map((d) => d.metadata.parentId)).toEqual(["lru"]);
    }
    await expect(r.retrieve("   ")).rejects.toBeInstanceOf(ValidationError);
    await expect(r.retrieve("x".repeat(9000))).rejects.toBeInstanceOf(ValidationError);
    await expect(r.retrieve("ok", { k: 0 })).rejects.toBeInstanceOf(ValidationError);
    await expect(r.retrieve("ok", { filter: { op: "and", filters: [] } as never })).rejects.toBeInstanceOf(
      FilterError,
    );
    const denseOnly = createRetriever({ embedder, store: new InMemoryVectorStore({ dimensions: 384 }) });
    await expect(denseOnly.retrieve("ok", { mode: "lexical" })).rejects.toBeInstanceOf(ValidationError);
    await expect(denseOnly.add([{ id: "", text: "x", metadata: {} }])).rejects.toBeInstanceOf(
      ValidationError,
    );
  });

  it("re-adding a document replaces its chunks; delete removes them everywhere", async () => {
    const store = new InMemoryVectorStore({ dimensions: 384 });
    const splitter = new RecursiveTextSplitter({
      chunkSize: 20,
      chunkOverlap: 0,
      lengthFunction: embedder.countTokens,
    });
    const r = createRetriever({ embedder, store, lexical: true, splitter });
    const { chunks: n1 } = await r.add(docs);
    expect(await store.count()).toBe(n1);
    const v = r.version;
    await r.add([{ ...docs[0]!, text: "short replacement about backoff" }]);
    expect(r.version).toBeGreaterThan(v);
    const retryChunks = (await r.retrieve("backoff", { k: 50, mode: "lexical" })).documents.filter(
      (d) => d.metadata.parentId === "retry",
    );
    expect(retryChunks.map((d) => d.text)).toEqual(["short replacement about backoff"]);
    // re-added with no text: written (it has no chunks now), its old chunks removed
    expect((await r.add([{ ...docs[2]!, text: "" }])).written).toEqual(["lru"]);
    expect(
      (await r.retrieve("cache evicts entry", { k: 50 })).documents.some(
        (d) => d.metadata.parentId === "lru",
      ),
    ).toBe(false);
    await r.delete(["retry", "breaker"]);
    const left = (await r.retrieve("backoff breaker cache vitamin", { k: 50 })).documents;
    expect(left.some((d) => ["retry", "breaker"].includes(String(d.metadata.parentId)))).toBe(false);
    expect(r.lexical!.size).toBe(await store.count());
  });

  it("emits retrieve and ingest events; a throwing listener breaks nothing", async () => {
    const events = createEventBus();
    const seen: string[] = [];
    for (const name of ["retrieve:start", "retrieve:end", "retrieve:error", "ingest:progress"] as const) {
      events.on(name, () => {
        seen.push(name);
      });
    }
    events.on("retrieve:end", () => {
      throw new Error("faulty listener");
    });
    const r = createRetriever({
      embedder,
      store: new InMemoryVectorStore({ dimensions: 384 }),
      events,
      splitter: false,
    });
    await r.add(docs);
    const res = await r.retrieve("hip fractures");
    expect(res.documents[0]!.metadata.parentId).toBe("vitamin");
    expect(res.documents[0]!.id).toMatch(/^vitamin@[0-9a-f]{16}#0$/);
    await expect(r.retrieve("")).rejects.toBeInstanceOf(ValidationError);
    expect(seen).toEqual(["ingest:progress", "retrieve:start", "retrieve:end"]);
  });

  it("re-adding in a new process replaces chunks written by an earlier one (store and BM25)", async () => {
    const store = new InMemoryVectorStore({ dimensions: 384 });
    const splitter = new RecursiveTextSplitter({
      chunkSize: 20,
      chunkOverlap: 0,
      lengthFunction: embedder.countTokens,
    });
    await createRetriever({ embedder, store, lexical: true, splitter }).add(docs);
    // a "later process": a fresh retriever over the persisted store, BM25 rebuilt by scanning it
    const later = createRetriever({ embedder, store, lexical: true, splitter });
    for await (const page of store.scan()) later.lexical!.add(page);
    await later.add([{ ...docs[0]!, text: "short replacement about backoff" }]);
    const chunks = async (mode: "dense" | "lexical") =>
      (await later.retrieve("backoff jitter retry replacement", { k: 50, mode })).documents
        .filter((d) => d.metadata.parentId === "retry")
        .map((d) => d.text);
    expect(await chunks("dense")).toEqual(["short replacement about backoff"]);
    expect(await chunks("lexical")).toEqual(["short replacement about backoff"]);
    expect(later.lexical!.size).toBe(await store.count());
  });

  it("stops ingestion on abort, keeping only the documents written before it", async () => {
    const r = createRetriever({
      embedder,
      store: new InMemoryVectorStore({ dimensions: 384 }),
      batchSize: 1,
      documentBatchSize: 2,
      splitter: false,
    });
    const ac = new AbortController();
    // abort after the 3rd chunk: the first two documents are committed, the second pair rolled back
    const p = r.add(docs, { signal: ac.signal, onProgress: ({ done }) => done === 3 && ac.abort() });
    const error = await p.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortError);
    expect((error as AbortError).cause).toBeInstanceOf(IngestError);
    expect(((error as AbortError).cause as IngestError).written).toEqual(["retry", "breaker"]);
    expect(((error as AbortError).cause as IngestError).failed).toEqual(["lru", "vitamin"]);
    expect(await r.store.count()).toBe(2);
  });

  it("gives the same dense top-k over a real Chroma server as in memory", async () => {
    const memory = createRetriever({
      embedder,
      store: new InMemoryVectorStore({ dimensions: 384 }),
      splitter: false,
    });
    const chroma = createRetriever({
      embedder,
      store: await createChromaVectorStore({ url: chromaUrl, collection: "retriever_test", dimensions: 384 }),
      splitter: false,
    });
    await memory.add(docs);
    await chroma.add(docs);
    for (const q of ["hip fractures", "cache expiry", "fail fast", "jitter"]) {
      const a = await memory.retrieve(q, { k: 3 });
      const b = await chroma.retrieve(q, { k: 3, filter: F.gte("year", 2019) });
      expect(b.documents.map((d) => d.id)).toEqual(a.documents.map((d) => d.id));
      b.documents.forEach((d, i) => expect(d.score).toBeCloseTo(a.documents[i]!.score, 4));
    }
  });
});
