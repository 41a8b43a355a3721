/**
 * Writes of one document id are serialised inside a retriever, writes of different ids are not,
 * and readers during a re-add always see one whole version. Real MiniLM; the embedder wrapper
 * only waits a little per call so that the overlapping calls really interleave.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRetriever, InMemoryVectorStore } from "../src/index.js";
import type { TransformersEmbedder } from "../src/transformers.js";
import {
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

function setup() {
  const emb = instrumentedEmbedder(minilm);
  const store = new InMemoryVectorStore({ dimensions: 384 });
  const retriever = createRetriever({
    embedder: emb.embedder,
    store,
    lexical: true,
    splitter: smallSplitter(minilm),
    batchSize: 2,
  });
  return { emb, store, retriever };
}

describe("concurrent writes and reads", () => {
  it("runs two overlapping add() calls of one id one after the other: the later version alone remains", async () => {
    const { emb, store, retriever } = setup();
    emb.plan.delayMs = 5;
    const [a, b] = await Promise.all([retriever.add([OLD_EIFFEL]), retriever.add([NEW_EIFFEL])]);
    expect(a.written).toEqual(["eiffel"]);
    expect(b.written).toEqual(["eiffel"]);
    expect(emb.stats.maxActive).toBe(1);
    const shown = await visibleChunks(retriever, "eiffel");
    expect(shown.map((c) => c.text.trim())).toEqual(NEW_EIFFEL.text.split("\n"));
    expect(versionsOf(shown)).toHaveLength(1);
    expect(await store.count()).toBe(4);
    expect(retriever.lexical!.size).toBe(4);
  });

  it("still writes different ids concurrently", async () => {
    const { emb, store, retriever } = setup();
    emb.plan.delayMs = 20;
    await Promise.all([retriever.add([OLD_EIFFEL]), retriever.add(OTHERS)]);
    expect(emb.stats.maxActive).toBe(2);
    expect(await store.count()).toBe(14 + 2 + 2);
  });

  it("never shows an empty, partial or mixed document to searches during a re-add", async () => {
    const { emb, retriever } = setup();
    await retriever.add([OLD_EIFFEL, ...OTHERS]);
    const [oldVersion] = versionsOf(await visibleChunks(retriever, "eiffel"));
    emb.plan.delayMs = 40;
    let finished = false;
    const adding = retriever.add([NEW_EIFFEL]).finally(() => {
      finished = true;
    });
    const sizes: number[] = [];
    while (!finished) {
      const dense = await visibleChunks(retriever, "eiffel");
      const lexical = await visibleChunks(retriever, "eiffel", "lexical");
      const hybrid = (
        await retriever.retrieve("Eiffel Tower visitors levels lights", { k: 20 })
      ).documents.filter((d) => d.metadata.parentId === "eiffel");
      // each read shows exactly one whole version: all 14 old chunks or all 4 new ones
      expect(versionsOf(dense)).toHaveLength(1);
      expect(dense.length).toBe(versionsOf(dense)[0] === oldVersion ? 14 : 4);
      expect(versionsOf(lexical)).toHaveLength(1);
      expect(new Set(hybrid.map((d) => d.metadata.parentVersion)).size).toBe(1);
      sizes.push(dense.length);
    }
    await adding;
    expect(sizes.length).toBeGreaterThan(2);
    expect(sizes[0]).toBe(14); // the old version was served while the new one was written
    const after = await visibleChunks(retriever, "eiffel");
    expect(after).toHaveLength(4);
    expect(versionsOf(after)).not.toEqual([oldVersion]);
  });
});
