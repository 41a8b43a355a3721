/**
 * End to end on real text: SciFact abstracts (BEIR, train split) indexed with the real
 * all-MiniLM-L6-v2, into the in-memory vector store and into a real Chroma server, with parents in
 * a file-system docstore and in Redis. The same queries must find their gold abstracts, and both
 * vector stores must agree.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Document, InMemoryVectorStore } from "@ragloom/core";
import { createChromaVectorStore } from "@ragloom/core/chroma";
import type { TransformersEmbedder } from "@ragloom/core/transformers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  SCIFACT_DIR,
  type ServiceHandle,
  startChroma,
  startRedis,
  stopAllServices,
} from "../../../test/services.js";
import {
  createFileSystemDocStore,
  createHierarchicalSplitter,
  createParentDocumentRetriever,
  type ParentDocumentRetriever,
} from "../src/index.js";
import { createRedisDocStore, type RedisDocStore } from "../src/redis.js";
import { loadEmbedder } from "./fixtures.js";

const N_QUERIES = 12;
let embedder: TransformersEmbedder;
let chroma: ServiceHandle;
let redis: ServiceHandle;
let redisStore: RedisDocStore;
const dir = mkdtempSync(join(tmpdir(), "ragloom-pd-e2e-"));
let corpus: Document[];
let queries: Array<{ id: string; text: string; gold: string[] }>;
let memory: ParentDocumentRetriever;
let viaChroma: ParentDocumentRetriever;

const jsonl = <T>(file: string): T[] =>
  readFileSync(join(SCIFACT_DIR, file), "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as T);

beforeAll(async () => {
  [embedder, chroma, redis] = await Promise.all([loadEmbedder(), startChroma(), startRedis()]);
  const qrels = new Map<string, string[]>();
  for (const line of readFileSync(join(SCIFACT_DIR, "qrels", "train.tsv"), "utf8")
    .split("\n")
    .slice(1)) {
    const [qid, did] = line.trim().split("\t");
    if (qid && did) qrels.set(qid, [...(qrels.get(qid) ?? []), did]);
  }
  queries = jsonl<{ _id: string; text: string }>("queries.jsonl")
    .filter((q) => qrels.has(q._id))
    .slice(0, N_QUERIES)
    .map((q) => ({ id: q._id, text: q.text, gold: qrels.get(q._id)! }));
  // the gold abstracts of those queries plus 40 distractors
  const want = new Set(queries.flatMap((q) => q.gold));
  const all = jsonl<{ _id: string; title: string; text: string }>("corpus.jsonl");
  const picked = all.filter((d, i) => want.has(d._id) || i % 130 === 0);
  corpus = picked.map((d) => ({ id: d._id, text: `${d.title} ${d.text}`, metadata: { title: d.title } }));

  const splitter = createHierarchicalSplitter({
    levels: [
      { chunkSize: Number.POSITIVE_INFINITY },
      { chunkSize: 128, chunkOverlap: 16 },
      { chunkSize: 48, chunkOverlap: 8 },
    ],
    tokenizer: embedder,
  });
  redisStore = await createRedisDocStore({ url: redis.url, namespace: "e2e:" });
  memory = createParentDocumentRetriever({
    vectorStore: new InMemoryVectorStore({ dimensions: embedder.dimensions }),
    docStore: createFileSystemDocStore({ directory: join(dir, "docs") }),
    embedder,
    splitter,
    parentLevel: 0,
  });
  viaChroma = createParentDocumentRetriever({
    vectorStore: await createChromaVectorStore({
      url: chroma.url,
      collection: `e2e_${process.pid}`,
      dimensions: embedder.dimensions,
    }),
    docStore: redisStore,
    embedder,
    splitter,
    parentLevel: 0,
  });
  // the same corpus through both setups (embedded twice: about 10 s each here)
  await memory.add(corpus);
  await viaChroma.add(corpus);
}, 600_000);

afterAll(async () => {
  await redisStore?.close();
  await stopAllServices();
  await embedder?.dispose?.();
  rmSync(dir, { recursive: true, force: true });
});

describe("parent-document retrieval end to end on SciFact abstracts", () => {
  it("returns whole gold abstracts for most claims, identically with the in-memory store and Chroma", async () => {
    let hits = 0;
    for (const q of queries) {
      const a = await memory.retrieve(q.text, { k: 5 });
      const b = await viaChroma.retrieve(q.text, { k: 5 });
      expect(b.documents.map((d) => d.id)).toEqual(a.documents.map((d) => d.id));
      for (const [x, y] of a.documents.map((d, i) => [d, b.documents[i]!] as const))
        expect(y.score).toBeCloseTo(x.score, 4);
      // parents are whole abstracts (level 0) with their title metadata
      for (const d of a.documents) {
        expect(d.metadata.level).toBe(0);
        expect(d.text).toBe(corpus.find((c) => c.id === d.metadata.sourceId)!.text);
      }
      if (a.documents.some((d) => q.gold.includes(d.metadata.sourceId as string))) hits++;
    }
    // all-MiniLM-L6-v2 finds a gold abstract in the top 5 of this small corpus for most claims
    expect(hits / queries.length).toBeGreaterThanOrEqual(0.6);
  });

  it("auto-merges to larger chunks and returns the children when asked", async () => {
    const q = queries[0]!;
    const merged = await viaChroma.retrieve(q.text, { mode: "auto-merge", k: 100, childK: 30 });
    const children = await viaChroma.retrieve(q.text, { mode: "children", k: 10 });
    expect(children.documents.every((d) => d.metadata.level === 2)).toBe(true);
    expect(merged.documents.length).toBeGreaterThan(0);
    expect(merged.documents.reduce((s, d) => s + d.children.length, 0)).toBe(30);
    // the best leaf is inside one of the merged results
    const best = children.documents[0]!;
    expect(merged.documents.some((d) => d.children.some((c) => c.id === best.id))).toBe(true);
  });

  it("forgets a deleted abstract in both setups", async () => {
    const q = queries[1]!;
    const before = await viaChroma.retrieve(q.text, { k: 1 });
    const victim = before.documents[0]!.metadata.sourceId as string;
    expect(await viaChroma.delete(victim)).toBe(true);
    expect(await memory.delete(victim)).toBe(true);
    const after = await viaChroma.retrieve(q.text, { k: 10, childK: 200 });
    expect(after.documents.some((d) => d.metadata.sourceId === victim)).toBe(false);
    const afterMemory = await memory.retrieve(q.text, { k: 10, childK: 200 });
    expect(afterMemory.documents.map((d) => d.id)).toEqual(after.documents.map((d) => d.id));
  });
});
