/**
 * A real Chroma server stopped in the middle of a re-add (and restarted): the old version stays
 * whole and the only one retrieved, the half-written new chunks stay hidden, and a retry after
 * the restart leaves the new version alone in the collection. Real MiniLM embeddings.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ServiceHandle, startChroma, stopAllServices } from "../../../test/services.js";
import { createChromaVectorStore } from "../src/chroma.js";
import { createRetriever, IngestError, ServiceError } from "../src/index.js";
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
let chroma: ServiceHandle;
beforeAll(async () => {
  [minilm, chroma] = await Promise.all([loadMiniLM(), startChroma()]);
});
afterAll(async () => {
  await stopAllServices();
  await minilm?.dispose?.();
});

describe("re-adding over a real Chroma server that goes down", () => {
  it("keeps the old version when Chroma stops mid re-add; a retry after the restart converges", async () => {
    const store = await createChromaVectorStore({
      url: chroma.url,
      collection: "reingest_outage",
      dimensions: 384,
    });
    const emb = instrumentedEmbedder(minilm);
    const warnings: string[] = [];
    const retriever = createRetriever({
      embedder: emb.embedder,
      store,
      lexical: true,
      splitter: smallSplitter(minilm),
      batchSize: 2,
      onWarning: (m) => warnings.push(m),
    });
    await retriever.add([OLD_EIFFEL, ...OTHERS]);
    const old = await visibleChunks(retriever, "eiffel");
    expect(old).toHaveLength(14);
    const total = await store.count();
    const eiffelIds = async () =>
      (await store.collection.get({ where: { parentId: "eiffel" }, include: [] })).ids.sort();

    // Chroma stops after the first batch of the new version is written (the second upsert fails,
    // and so does the rollback)
    emb.plan.hookCall = emb.stats.calls + 2;
    emb.plan.hook = () => chroma.stop();
    const error = await retriever.add([NEW_EIFFEL]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IngestError);
    expect((error as IngestError).cause).toBeInstanceOf(ServiceError);
    expect(warnings.join("\n")).toMatch(/rolling it back failed too/);
    await chroma.restart();

    // two half-written new chunks are in the collection, but only the old version is retrieved
    expect(await store.count()).toBe(total + 2);
    expect(await visibleChunks(retriever, "eiffel")).toEqual(old);
    expect(versionsOf(await visibleChunks(retriever, "eiffel", "lexical"))).toEqual(versionsOf(old));
    const top = (await retriever.retrieve("height in metres including the antennas", { k: 1, mode: "dense" }))
      .documents[0]!;
    expect(top.text).toContain("330 metres");

    const again = await retriever.add([NEW_EIFFEL, ...OTHERS]);
    expect(again.written).toEqual(["eiffel"]);
    expect(again.unchanged).toEqual(["photosynthesis", "redis"]);
    const now = await visibleChunks(retriever, "eiffel");
    expect(now.map((c) => c.text.trim())).toEqual(NEW_EIFFEL.text.split("\n"));
    expect(await eiffelIds()).toEqual(now.map((c) => c.id));
    expect(await store.count()).toBe(total - 14 + 4);
    expect(retriever.lexical!.size).toBe(total - 14 + 4);
  }, 120_000);
});
