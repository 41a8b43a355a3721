/**
 * Re-adding a document is all-or-nothing: whatever fails part-way (the embedder, the caller's
 * abort, the store during or after a write), the old version stays fully retrievable, no chunk
 * of the half-written new one is visible, and a retry converges to the new version alone.
 * Real MiniLM embeddings and the real in-memory store; the faults are injected by wrappers.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AbortError,
  createRetriever,
  IngestError,
  InMemoryVectorStore,
  ServiceError,
  type VectorStore,
} from "../src/index.js";
import type { TransformersEmbedder } from "../src/transformers.js";
import {
  faultyStore,
  instrumentedEmbedder,
  loadMiniLM,
  NEW_EIFFEL,
  OLD_EIFFEL,
  OTHERS,
  smallSplitter,
  versionsOf,
  visibleChunks,
} from "./retriever-fixtures.js";

let minilm: TransformersEmbedder;
beforeAll(async () => {
  minilm = await loadMiniLM();
});
afterAll(async () => {
  await minilm?.dispose?.();
});

async function setup(inner: VectorStore = new InMemoryVectorStore({ dimensions: 384 })) {
  const emb = instrumentedEmbedder(minilm);
  const st = faultyStore(inner);
  const warnings: string[] = [];
  const retriever = createRetriever({
    embedder: emb.embedder,
    store: st.store,
    lexical: true,
    splitter: smallSplitter(minilm),
    batchSize: 2,
    onWarning: (m) => warnings.push(m),
  });
  const first = await retriever.add([OLD_EIFFEL, ...OTHERS]);
  expect(first.written).toEqual(["eiffel", "photosynthesis", "redis"]);
  const old = await visibleChunks(retriever, "eiffel");
  expect(old).toHaveLength(14);
  return { retriever, emb, st, inner, warnings, old, total: await inner.count() };
}

/** The old version is retrievable whole, in both modes, and nothing of the new one is visible. */
async function expectOldIntact(s: Awaited<ReturnType<typeof setup>>) {
  expect(await visibleChunks(s.retriever, "eiffel")).toEqual(s.old);
  const lexical = await visibleChunks(s.retriever, "eiffel", "lexical");
  expect(lexical.length).toBeGreaterThan(0);
  expect(versionsOf(lexical)).toEqual(versionsOf(s.old));
  const top = (await s.retriever.retrieve("height in metres including the antennas", { k: 1, mode: "dense" }))
    .documents[0]!;
  expect(top.text).toContain("330 metres");
}

/** A retry writes the new version, and only it remains, in the store and in BM25. */
async function expectRetryConverges(s: Awaited<ReturnType<typeof setup>>) {
  const again = await s.retriever.add([NEW_EIFFEL, ...OTHERS]);
  expect(again.written).toEqual(["eiffel"]);
  expect(again.unchanged).toEqual(["photosynthesis", "redis"]);
  const now = await visibleChunks(s.retriever, "eiffel");
  expect(now.map((c) => c.text.trim())).toEqual(NEW_EIFFEL.text.split("\n"));
  expect(versionsOf(now)).toHaveLength(1);
  expect(await s.inner.count()).toBe(s.total - 14 + 4);
  expect(s.retriever.lexical!.size).toBe(await s.inner.count());
  const stored = (s.inner as InMemoryVectorStore).listIds().filter((id) => id.startsWith("eiffel@"));
  expect(stored.sort()).toEqual(now.map((c) => c.id));
  const top = (await s.retriever.retrieve("how many light bulbs sparkle at night", { k: 1, mode: "dense" }))
    .documents[0]!;
  expect(top.text).toContain("twenty thousand bulbs");
}

describe("re-adding a document is all-or-nothing (in-memory store, MiniLM)", () => {
  it("survives the embedder failing on batch 2 of the re-add", async () => {
    const s = await setup();
    s.emb.plan.failCall = s.emb.stats.calls + 2;
    const error = await s.retriever.add([NEW_EIFFEL]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IngestError);
    expect((error as IngestError).failed).toEqual(["eiffel"]);
    expect((error as IngestError).written).toEqual([]);
    expect((error as IngestError).cause).toBeInstanceOf(ServiceError);
    await expectOldIntact(s);
    expect(await s.inner.count()).toBe(s.total); // the half-written batch was rolled back
    await expectRetryConverges(s);
  });

  it("survives an abort in the middle of the re-add", async () => {
    const s = await setup();
    const controller = new AbortController();
    s.emb.plan.hookCall = s.emb.stats.calls + 1;
    s.emb.plan.hook = () => controller.abort();
    const error = await s.retriever.add([NEW_EIFFEL], { signal: controller.signal }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortError);
    expect((error as AbortError).cause).toBeInstanceOf(IngestError);
    expect(((error as AbortError).cause as IngestError).failed).toEqual(["eiffel"]);
    await expectOldIntact(s);
    expect(await s.inner.count()).toBe(s.total);
    await expectRetryConverges(s);
  });

  it("survives the store failing in the middle of an upsert", async () => {
    const s = await setup();
    s.st.plan.failUpsertCall = s.st.calls.upsert + 2;
    await expect(s.retriever.add([NEW_EIFFEL])).rejects.toBeInstanceOf(IngestError);
    await expectOldIntact(s);
    expect(await s.inner.count()).toBe(s.total);
    await expectRetryConverges(s);
  });

  it("survives the store going down after an upsert (rollback impossible): hidden, then repaired", async () => {
    const s = await setup();
    s.st.plan.downAfterUpsertCall = s.st.calls.upsert + 1;
    const error = await s.retriever.add([NEW_EIFFEL]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IngestError);
    expect(s.warnings.join("\n")).toMatch(/rolling it back failed too/);
    s.st.plan.down = false; // the store is back
    // the half-written new version is physically there, listed as pending, and never shown
    expect(await s.inner.count()).toBe(s.total + 2);
    const [manifest] = await s.retriever.manifests.getMany(["eiffel"]);
    expect(manifest!.pending?.chunkIds).toHaveLength(4);
    await expectOldIntact(s);
    expect(await s.retriever.repair()).toBe(1);
    expect(await s.inner.count()).toBe(s.total);
    await expectOldIntact(s);
    await expectRetryConverges(s);
  });

  it("survives the store failing when it removes the old version after the switch", async () => {
    const s = await setup();
    s.st.plan.failDeleteWhereCall = s.st.calls.deleteWhere + 1;
    const error = await s.retriever.add([NEW_EIFFEL]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IngestError);
    expect((error as IngestError).written).toEqual(["eiffel"]);
    // the new version is committed and the only one shown, though the old is still stored
    const shown = await visibleChunks(s.retriever, "eiffel");
    expect(shown).toHaveLength(4);
    expect(versionsOf(shown)).toHaveLength(1);
    expect(versionsOf(await visibleChunks(s.retriever, "eiffel", "lexical"))).toEqual(versionsOf(shown));
    expect(await s.inner.count()).toBe(s.total + 4);
    // the next write of the document finishes the clean-up; nothing is re-embedded
    const texts = s.emb.stats.texts;
    const again = await s.retriever.add([NEW_EIFFEL]);
    expect(again).toEqual({ chunks: 0, written: [], unchanged: ["eiffel"] });
    expect(s.emb.stats.texts).toBe(texts);
    expect(await s.inner.count()).toBe(s.total - 14 + 4);
    expect(s.retriever.lexical!.size).toBe(s.total - 14 + 4);
  });
});

describe("resumable ingest", () => {
  it("reports what was written, and a second call writes only the rest", async () => {
    const emb = instrumentedEmbedder(minilm);
    const store = new InMemoryVectorStore({ dimensions: 384 });
    const splitter = smallSplitter(minilm);
    const r = createRetriever({
      embedder: emb.embedder,
      store,
      lexical: true,
      splitter,
      documentBatchSize: 1,
    });
    const docs = [OTHERS[0]!, OLD_EIFFEL, OTHERS[1]!];
    emb.plan.failCall = 2; // the first embedding call of the second document
    const error = (await r.add(docs).catch((e: unknown) => e)) as IngestError;
    expect(error).toBeInstanceOf(IngestError);
    expect(error.written).toEqual(["photosynthesis"]);
    expect(error.failed).toEqual(["eiffel", "redis"]);
    expect(error.unchanged).toEqual([]);
    const before = emb.stats.texts;
    const resumed = await r.add(docs);
    expect(resumed).toEqual({ chunks: 14 + 2, written: ["eiffel", "redis"], unchanged: ["photosynthesis"] });
    expect(emb.stats.texts - before).toBe(14 + 2);
    expect(await store.count()).toBe(2 + 14 + 2);

    // a fresh process over the same store: nothing to re-embed (the versioned ids are all stored)
    const later = instrumentedEmbedder(minilm);
    const r2 = createRetriever({ embedder: later.embedder, store, lexical: true, splitter });
    const again = await r2.add(docs);
    expect(again).toEqual({ chunks: 0, written: [], unchanged: ["photosynthesis", "eiffel", "redis"] });
    expect(later.stats.calls).toBe(0);
    expect(r2.lexical!.size).toBe(await store.count()); // BM25 rebuilt from the known chunks
    const top = (await r2.retrieve("chloroplasts sugars", { k: 1, mode: "lexical" })).documents[0]!;
    expect(top.metadata.parentId).toBe("photosynthesis");
    // force re-embeds
    const forced = await r2.add([OTHERS[1]!], { force: true });
    expect(forced.written).toEqual(["redis"]);
    expect(later.stats.texts).toBe(2);
    expect(await store.count()).toBe(2 + 14 + 2);
  });
});
