/**
 * A failed write leaves no orphan children or parents: each case wraps a real store so that one
 * write fails halfway (half of the batch really written, then an error), then checks that the
 * stores hold exactly what the committed manifests list. Run against in-memory stores and against
 * a real Chroma server with a real Redis docstore.
 */
import { InMemoryVectorStore, ServiceError, type VectorStore } from "@ragloom/core";
import type { ChromaVectorStore } from "@ragloom/core/chroma";
import { createChromaVectorStore } from "@ragloom/core/chroma";
import type { TransformersEmbedder } from "@ragloom/core/transformers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ServiceHandle, startChroma, startRedis, stopAllServices } from "../../../test/services.js";
import {
  collectKeys,
  createHierarchicalSplitter,
  createInMemoryDocStore,
  createParentDocumentRetriever,
  type DocStore,
  type HierarchicalSplitter,
  ManifestStore,
} from "../src/index.js";
import { createRedisDocStore, type RedisDocStore } from "../src/redis.js";
import {
  DOCS,
  expectConsistent,
  type FaultPlan,
  faultyDocStore,
  faultyVectorStore,
  loadEmbedder,
} from "./fixtures.js";

let embedder: TransformersEmbedder;
let splitter: HierarchicalSplitter;
let chroma: ServiceHandle;
let redis: ServiceHandle;
const redisStores: RedisDocStore[] = [];
let n = 0;

beforeAll(async () => {
  [embedder, chroma, redis] = await Promise.all([loadEmbedder(), startChroma(), startRedis()]);
  splitter = createHierarchicalSplitter({
    levels: [{ chunkSize: 48 }, { chunkSize: 16 }],
    tokenizer: embedder,
  });
});
afterAll(async () => {
  await Promise.all(redisStores.map((s) => s.close()));
  await stopAllServices();
  await embedder?.dispose?.();
});

interface Stores {
  vectorStore: VectorStore;
  docStore: DocStore;
  listIds(): Promise<string[]>;
}

const backends: Array<[string, () => Promise<Stores>]> = [
  [
    "in-memory vector store + in-memory docstore",
    async () => {
      const vectorStore = new InMemoryVectorStore({ dimensions: 384 });
      return { vectorStore, docStore: createInMemoryDocStore(), listIds: async () => vectorStore.listIds() };
    },
  ],
  [
    "real Chroma + real Redis docstore",
    async () => {
      const vectorStore: ChromaVectorStore = await createChromaVectorStore({
        url: chroma.url,
        collection: `failures_${process.pid}_${n}`,
        dimensions: 384,
      });
      const docStore = await createRedisDocStore({ url: redis.url, namespace: `failures${n++}:` });
      redisStores.push(docStore);
      return {
        vectorStore,
        docStore,
        listIds: async () => (await vectorStore.collection.get({ include: [] })).ids,
      };
    },
  ],
];

for (const [name, makeStores] of backends) {
  describe(`a failed write leaves no orphans: ${name}`, () => {
    async function setup(vectorPlan: FaultPlan = {}, docPlan: { failMsetCall?: number } = {}) {
      const stores = await makeStores();
      const vs = faultyVectorStore(stores.vectorStore, vectorPlan);
      const ds = faultyDocStore(stores.docStore, docPlan);
      const warnings: string[] = [];
      const retriever = createParentDocumentRetriever({
        vectorStore: vs.store,
        docStore: ds.store,
        embedder,
        splitter,
        batchSize: 4,
        onWarning: (m) => warnings.push(m),
      });
      const manifests = new ManifestStore(stores.docStore, "__ragloom_manifest__:");
      const consistent = async () => expectConsistent(await stores.listIds(), stores.docStore, manifests);
      return { ...stores, vs, ds, retriever, warnings, consistent, manifests };
    }

    it("rolls back a first add whose child upsert fails halfway", async () => {
      const { retriever, consistent, listIds, docStore, vs } = await setup({ failUpsertCall: 2 });
      await expect(retriever.add(DOCS)).rejects.toBeInstanceOf(ServiceError);
      expect(vs.calls.upsert).toBe(2);
      expect(await listIds()).toEqual([]);
      expect(await collectKeys(docStore)).toEqual([]);
      await consistent();
      // the store is healthy again: the same call now succeeds
      const ok = await retriever.add(DOCS);
      expect(ok.indexed).toHaveLength(3);
      expect((await consistent()).children.length).toBe(ok.children);
    });

    it("rolls back a parent write that fails halfway", async () => {
      // mset #1 is the write-ahead manifest, #2 the parents
      const { retriever, consistent, listIds, docStore } = await setup({}, { failMsetCall: 2 });
      await expect(retriever.add(DOCS)).rejects.toBeInstanceOf(ServiceError);
      expect(await listIds()).toEqual([]);
      expect(await collectKeys(docStore)).toEqual([]);
      await consistent();
    });

    it("keeps the previous version intact when an update fails halfway", async () => {
      const { retriever, consistent, listIds, vs } = await setup();
      await retriever.add(DOCS);
      const before = (await listIds()).sort();
      const beforeAnswer = (await retriever.retrieve("How tall is the Eiffel Tower?", { k: 1 }))
        .documents[0]!;
      vs.plan.failUpsertCall = vs.calls.upsert + 2;
      const changed = {
        ...DOCS[0]!,
        text: `${DOCS[0]!.text}\n\nA fourth paragraph about the lifts of the tower and its restaurants.`,
      };
      await expect(retriever.update(changed)).rejects.toBeInstanceOf(ServiceError);
      expect((await listIds()).sort()).toEqual(before);
      await consistent();
      const after = (await retriever.retrieve("How tall is the Eiffel Tower?", { k: 1 })).documents[0]!;
      expect(after.id).toBe(beforeAnswer.id);
      expect(after.text).toBe(beforeAnswer.text);
    });

    it("leaves a record when the rollback fails too, and repair() removes the pending chunks", async () => {
      const { retriever, consistent, listIds, docStore, warnings, manifests, vs } = await setup({
        failUpsertCall: 2,
        failDeletesFrom: 1,
      });
      await expect(retriever.add(DOCS)).rejects.toBeInstanceOf(ServiceError);
      expect(warnings.join("\n")).toMatch(/rolling it back failed too/);
      // half-written chunks are still there, but every one is listed as pending in a manifest
      const ids = await listIds();
      expect(ids.length).toBeGreaterThan(0);
      const ms = await manifests.getMany(DOCS.map((d) => d.id));
      const pending = new Set(
        ms.flatMap((m) => [...(m.pending?.childIds ?? []), ...(m.pending?.parentIds ?? [])]),
      );
      for (const id of ids) expect(pending.has(id)).toBe(true);
      for (const key of await collectKeys(docStore)) {
        if (!key.startsWith(manifests.prefix)) expect(pending.has(key)).toBe(true);
      }
      await expect(consistent()).rejects.toThrow(/dirty manifests/);
      // the store recovers
      vs.plan.failDeletesFrom = undefined;
      expect(await retriever.repair()).toBe(3);
      await consistent();
      expect(await listIds()).toEqual([]);
      expect(await collectKeys(docStore)).toEqual([]);
    });

    it("finishes a failed garbage collection on the next write of the document", async () => {
      const { retriever, consistent, listIds, vs } = await setup();
      await retriever.add(DOCS);
      vs.plan.failDeleteCall = vs.calls.delete + 1;
      const changed = { ...DOCS[2]!, text: "Valkey is a fork of Redis 7.2." };
      // the new version is committed, removing the old one fails
      await expect(retriever.update(changed)).rejects.toBeInstanceOf(ServiceError);
      const top = (await retriever.retrieve("Valkey fork", { k: 1 })).documents[0]!;
      expect(top.text).toBe(changed.text);
      await expect(consistent()).rejects.toThrow(/dirty/);
      // retrying converges: same version, nothing re-embedded, the garbage is removed first
      const again = await retriever.update(changed);
      expect(again.unchanged).toEqual(["redis"]);
      const { children } = await consistent();
      expect((await listIds()).length).toBe(children.length);
    });

    it("can retry a delete that failed halfway", async () => {
      const { retriever, consistent, listIds, vs } = await setup();
      await retriever.add(DOCS);
      vs.plan.failDeleteCall = vs.calls.delete + 1;
      await expect(retriever.delete("eiffel")).rejects.toBeInstanceOf(ServiceError);
      // nothing of it is committed any more, its chunks are listed as garbage
      await expect(consistent()).rejects.toThrow(/dirty/);
      await retriever.delete("eiffel");
      await consistent();
      expect((await listIds()).some((id) => id.startsWith("eiffel@"))).toBe(false);
    });

    it("rolls back when the caller aborts halfway", async () => {
      const { retriever, consistent, listIds, vectorStore, docStore } = await setup();
      const controller = new AbortController();
      const aborting = createParentDocumentRetriever({
        vectorStore,
        docStore,
        splitter,
        batchSize: 4,
        embedder: {
          modelId: embedder.modelId,
          dimensions: embedder.dimensions,
          normalized: true,
          embedQuery: (t) => embedder.embedQuery(t),
          embedDocuments: async (texts) => {
            const out = await embedder.embedDocuments(texts);
            controller.abort();
            return out;
          },
        },
      });
      await expect(aborting.add(DOCS, { signal: controller.signal })).rejects.toThrow();
      expect(await listIds()).toEqual([]);
      await consistent();
      expect(retriever).toBeDefined();
    });
  });
}
