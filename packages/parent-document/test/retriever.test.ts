import { createEventBus, F, InMemoryVectorStore, ValidationError } from "@ragloom/core";
import type { TransformersEmbedder } from "@ragloom/core/transformers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  collectKeys,
  createHierarchicalSplitter,
  createInMemoryDocStore,
  createParentDocumentRetriever,
  type HierarchicalSplitter,
  ManifestStore,
  type RetrievedChunk,
} from "../src/index.js";
import { DOCS, expectConsistent, loadEmbedder } from "./fixtures.js";

let embedder: TransformersEmbedder;
let twoLevels: HierarchicalSplitter;
let threeLevels: HierarchicalSplitter;

beforeAll(async () => {
  embedder = await loadEmbedder();
  twoLevels = createHierarchicalSplitter({
    levels: [{ chunkSize: 64 }, { chunkSize: 16, chunkOverlap: 4 }],
    tokenizer: embedder,
  });
  threeLevels = createHierarchicalSplitter({
    levels: [{ chunkSize: Number.POSITIVE_INFINITY }, { chunkSize: 64 }, { chunkSize: 16 }],
    tokenizer: embedder,
  });
});
afterAll(async () => {
  await embedder?.dispose?.();
});

function setup(
  splitter = twoLevels,
  extra: Partial<Parameters<typeof createParentDocumentRetriever>[0]> = {},
) {
  const vectorStore = new InMemoryVectorStore({ dimensions: embedder.dimensions });
  const docStore = createInMemoryDocStore();
  let embedded = 0;
  const counting = {
    ...embedder,
    modelId: embedder.modelId,
    dimensions: embedder.dimensions,
    normalized: embedder.normalized,
    embedDocuments: (texts: string[]) => {
      embedded += texts.length;
      return embedder.embedDocuments(texts);
    },
    embedQuery: (text: string) => embedder.embedQuery(text),
  };
  const retriever = createParentDocumentRetriever({
    vectorStore,
    docStore,
    embedder: counting,
    splitter,
    batchSize: 5,
    ...extra,
  });
  const consistent = () =>
    expectConsistent(vectorStore.listIds(), docStore, new ManifestStore(docStore, "__ragloom_manifest__:"));
  return { vectorStore, docStore, retriever, embedded: () => embedded, consistent };
}

/** Every chunk id of a result is a descendant of the result (a leaf's id path extends its ancestors'). */
const isAncestor = (ancestorId: string, id: string) => id.startsWith(`${ancestorId}.`) || id === ancestorId;

describe("createParentDocumentRetriever: writes", () => {
  it("stores parents in the docstore and embeds only children, batch by batch", async () => {
    const { vectorStore, docStore, retriever, embedded } = setup();
    const result = await retriever.add(DOCS);
    const chunks = twoLevels.splitDocuments(DOCS);
    expect(result.indexed).toEqual(DOCS.map((d) => d.id));
    expect(result.parents).toBe(chunks.filter((c) => c.metadata.level === 0).length);
    expect(result.children).toBe(chunks.filter((c) => c.metadata.level === 1).length);
    expect(await vectorStore.count()).toBe(result.children);
    expect(embedded()).toBe(result.children);
    const keys = await collectKeys(docStore);
    expect(keys.filter((k) => k.startsWith("__ragloom_manifest__:")).sort()).toEqual(
      DOCS.map((d) => `__ragloom_manifest__:${d.id}`).sort(),
    );
    expect(keys.length).toBe(result.parents + DOCS.length);
    // every child points at a stored parent and carries the source metadata
    const records = await vectorStore.get(vectorStore.listIds());
    const parents = await docStore.mget(records.map((r) => r.metadata.parentId as string));
    records.forEach((r, i) => {
      expect(parents[i]).toBeDefined();
      expect(parents[i]!.text).toContain(r.text);
      expect(r.metadata.topic).toBe(DOCS.find((d) => d.id === r.metadata.sourceId)!.metadata.topic);
    });
  });

  it("is idempotent by id: re-adding unchanged documents embeds nothing", async () => {
    const { vectorStore, retriever, embedded } = setup();
    await retriever.add(DOCS);
    const before = { count: await vectorStore.count(), embedded: embedded() };
    const again = await retriever.add(DOCS);
    expect(again).toEqual({ indexed: [], unchanged: DOCS.map((d) => d.id), parents: 0, children: 0 });
    expect(await vectorStore.count()).toBe(before.count);
    expect(embedded()).toBe(before.embedded);
    // force re-embeds into the same ids
    const forced = await retriever.add(DOCS, { force: true });
    expect(forced.indexed).toHaveLength(3);
    expect(await vectorStore.count()).toBe(before.count);
  });

  it("update replaces a document's parents and children; delete removes them everywhere", async () => {
    const { vectorStore, docStore, retriever, consistent } = setup();
    await retriever.add(DOCS);
    await consistent();
    const oldIds = vectorStore.listIds().filter((id) => id.startsWith("redis@"));
    const changed = {
      ...DOCS[2]!,
      text: "Valkey is a fork of Redis 7.2 created in 2024 by the Linux Foundation.",
    };
    const up = await retriever.update(changed);
    expect(up.indexed).toEqual(["redis"]);
    const ids = vectorStore.listIds().filter((id) => id.startsWith("redis@"));
    expect(ids.some((id) => oldIds.includes(id))).toBe(false);
    const { documents } = await retriever.retrieve("Which project forked Redis?", { k: 1 });
    expect(documents[0]!.text).toContain("Valkey");
    expect(await collectKeys(docStore, { prefix: "redis@" })).toEqual([ids[0]!.replace(/\.\d+$/, "")]);
    await consistent();

    expect(await retriever.delete("redis")).toBe(true);
    expect(await retriever.delete("redis")).toBe(false);
    expect(vectorStore.listIds().some((id) => id.startsWith("redis@"))).toBe(false);
    expect(await collectKeys(docStore, { prefix: "redis" })).toEqual([]);
    expect(await collectKeys(docStore, { prefix: "__ragloom_manifest__:redis" })).toEqual([]);
    const { children } = await consistent();
    expect(children.length).toBe(vectorStore.size);
    expect(
      (await retriever.retrieve("in-memory key-value database", { k: 5 })).documents.every(
        (d) => d.metadata.sourceId !== "redis",
      ),
    ).toBe(true);
  });

  it("rejects duplicate ids in one call and malformed documents", async () => {
    const { retriever } = setup();
    await expect(retriever.add([DOCS[0]!, DOCS[0]!])).rejects.toBeInstanceOf(ValidationError);
    await expect(retriever.add([{ id: "", text: "x", metadata: {} }])).rejects.toBeInstanceOf(
      ValidationError,
    );
    await expect(retriever.delete("")).rejects.toBeInstanceOf(ValidationError);
  });
});

describe("createParentDocumentRetriever: retrieval", () => {
  it("returns the parent around the best children, with max and sum of child scores", async () => {
    const { retriever } = setup();
    await retriever.add(DOCS);
    const { documents, info, timings } = await retriever.retrieve("How tall is the Eiffel Tower?", { k: 2 });
    expect(documents).toHaveLength(2);
    const top = documents[0]!;
    expect(top.metadata.sourceId).toBe("eiffel");
    expect(top.metadata.level).toBe(0);
    expect(top.text).toContain("330 metres");
    for (const d of documents) {
      const scores = d.children.map((c) => c.score);
      expect(d.score).toBeCloseTo(Math.max(...scores), 6);
      expect(d.scores.max).toBeCloseTo(Math.max(...scores), 6);
      expect(d.scores.sum).toBeCloseTo(
        scores.reduce((a, b) => a + b, 0),
        6,
      );
      expect(scores).toEqual([...scores].sort((a, b) => b - a));
      for (const c of d.children) expect(isAncestor(d.id, c.id)).toBe(true);
    }
    expect(documents[0]!.score).toBeGreaterThanOrEqual(documents[1]!.score);
    expect(info).toMatchObject({ mode: "parents", scoring: "max", childHits: 20 });
    expect(timings.total).toBeGreaterThan(0);
  });

  it("ranks by the sum of child scores when asked", async () => {
    const { retriever } = setup();
    await retriever.add(DOCS);
    const { documents } = await retriever.retrieve("photosynthesis in plants", {
      k: 5,
      scoring: "sum",
      childK: 30,
    });
    for (const d of documents) expect(d.score).toBeCloseTo(d.scores.sum, 6);
    expect(documents.map((d) => d.score)).toEqual([...documents.map((d) => d.score)].sort((a, b) => b - a));
    expect(documents[0]!.metadata.sourceId).toBe("photosynthesis");
  });

  it("returns the matching children when asked", async () => {
    const { retriever } = setup();
    await retriever.add(DOCS);
    const { documents } = await retriever.retrieve("How tall is the Eiffel Tower?", {
      k: 3,
      mode: "children",
    });
    expect(documents).toHaveLength(3);
    expect(documents[0]!.metadata.level).toBe(1);
    expect(documents[0]!.text).toMatch(/330 metres|tall/);
    for (const d of documents) expect(d.children).toEqual([{ id: d.id, score: d.score }]);
  });

  it("passes the filter through to the vector store", async () => {
    const { retriever } = setup();
    await retriever.add(DOCS);
    const { documents } = await retriever.retrieve("How tall is the Eiffel Tower?", {
      k: 5,
      filter: F.eq("topic", "biology"),
    });
    expect(documents.length).toBeGreaterThan(0);
    expect(documents.every((d) => d.metadata.sourceId === "photosynthesis")).toBe(true);
  });

  it("returns higher-level parents with parentLevel", async () => {
    const { retriever } = setup(threeLevels);
    await retriever.add(DOCS);
    const { documents } = await retriever.retrieve("Calvin cycle sugars", {
      k: 3,
      parentLevel: 0,
      childK: 60,
    });
    expect(documents.map((d) => d.metadata.level)).toEqual([0, 0, 0]);
    expect(documents[0]!.text).toBe(DOCS[1]!.text);
    // all leaves are grouped under the 3 documents
    expect(documents.reduce((s, d) => s + d.children.length, 0)).toBe(
      threeLevels.splitDocuments(DOCS).filter((c) => c.metadata.level === 2).length,
    );
  });

  it("validates queries and options", async () => {
    const { retriever } = setup();
    await expect(retriever.retrieve("  ")).rejects.toBeInstanceOf(ValidationError);
    await expect(retriever.retrieve("x", { k: 0 })).rejects.toBeInstanceOf(ValidationError);
    await expect(retriever.retrieve("x", { mode: "nope" as never })).rejects.toBeInstanceOf(ValidationError);
    await expect(retriever.retrieve("x", { parentLevel: 1 })).rejects.toBeInstanceOf(ValidationError);
    await expect(retriever.retrieve("x", { autoMergeRatio: 0 })).rejects.toBeInstanceOf(ValidationError);
    expect(() => createParentDocumentRetriever({ splitter: twoLevels } as never)).toThrow(ValidationError);
  });

  it("emits retrieval and ingest events", async () => {
    const events = createEventBus();
    const seen: string[] = [];
    for (const name of ["retrieve:start", "retrieve:end", "ingest:progress"] as const)
      events.on(name, () => seen.push(name));
    const { retriever } = setup(twoLevels, { events, documentBatchSize: 2 });
    await retriever.add(DOCS);
    await retriever.retrieve("Eiffel");
    expect(seen).toEqual(["ingest:progress", "ingest:progress", "retrieve:start", "retrieve:end"]);
  });
});

describe("auto-merging", () => {
  const leavesOf = (id: string) =>
    threeLevels.split(DOCS.find((d) => d.id === id)!).filter((c) => c.metadata.level === 2);

  it("merges all the way up when every child of a document is retrieved", async () => {
    const { retriever } = setup(threeLevels);
    await retriever.add(DOCS);
    const { documents, info } = await retriever.retrieve("Eiffel Tower", {
      mode: "auto-merge",
      k: 10,
      childK: 100,
      filter: F.eq("topic", "travel"),
    });
    expect(documents).toHaveLength(1);
    expect(documents[0]!.text).toBe(DOCS[0]!.text);
    expect(documents[0]!.metadata.level).toBe(0);
    expect(documents[0]!.children).toHaveLength(leavesOf("eiffel").length);
    expect(info!.merged).toBe(1);
  });

  it("keeps children when too few of a parent's children are retrieved", async () => {
    const { retriever } = setup(threeLevels);
    await retriever.add(DOCS);
    const { documents } = await retriever.retrieve("How tall is the Eiffel Tower?", {
      mode: "auto-merge",
      k: 1,
      childK: 1,
    });
    expect(documents[0]!.metadata.level).toBe(2);
    // ratio 1 never merges (it needs more than all children)
    const none = await retriever.retrieve("Eiffel Tower", {
      mode: "auto-merge",
      childK: 100,
      k: 100,
      autoMergeRatio: 1,
    });
    expect(none.documents.every((d) => d.metadata.level === 2)).toBe(true);
  });

  it("never returns a chunk together with one of its ancestors, and only merges above the ratio", async () => {
    const { retriever, docStore } = setup(threeLevels);
    await retriever.add(DOCS);
    for (const [childK, ratio] of [
      [8, 0.5],
      [15, 0.3],
      [25, 0.6],
    ] as const) {
      const { documents } = await retriever.retrieve(
        "What is the tower in Paris made of and how tall is it?",
        {
          mode: "auto-merge",
          k: 100,
          childK,
          autoMergeRatio: ratio,
        },
      );
      const ids = documents.map((d) => d.id);
      for (const a of ids)
        for (const b of ids) if (a !== b) expect(isAncestor(a, b), `${a} / ${b} in ${ids}`).toBe(false);
      expect(documents.reduce((s, d) => s + d.children.length, 0)).toBe(childK);
      for (const d of documents.filter((x: RetrievedChunk) => (x.metadata.level as number) < 2)) {
        // a merged chunk: more than `ratio` of its direct children are covered by retrieved leaves
        const direct = new Set(
          d.children.map((c) => {
            const rest = c.id.slice(d.id.length + 1).split(".")[0];
            return `${d.id}.${rest}`;
          }),
        );
        expect(direct.size / (d.metadata.childCount as number)).toBeGreaterThan(ratio);
        const [stored] = await docStore.mget([d.id]);
        expect(stored!.text).toBe(d.text);
      }
    }
  });
});
