/**
 * Hybrid retrieval fuses lists of a fixed depth (`candidates`), so the top 10 does not depend on
 * the `k` a call asks for: on 2,000 SciFact abstracts and 100 claims, the first 10 of a k = 100
 * call equal the k = 10 call for every query and every fusion method; a k above `candidates`
 * deepens the lists to k; a per-call `candidates` overrides the retriever's; the default fusion is
 * the z-score convex combination.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { SCIFACT_DIR } from "../../../test/services.js";
import {
  BM25Index,
  createRetriever,
  type Document,
  type FusionOptions,
  InMemoryVectorStore,
  type Reranker,
  reciprocalRankFusion,
  ValidationError,
  weightedScoreFusion,
} from "../src/index.js";
import { createHashingEmbedder } from "./production/hashing-embedder.js";

const jsonl = (file: string) =>
  readFileSync(join(SCIFACT_DIR, file), "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Record<string, string>);

const embedder = createHashingEmbedder(256);
let store: InMemoryVectorStore;
let bm25: BM25Index;
let claims: string[];
beforeAll(async () => {
  const docs: Document[] = jsonl("corpus.jsonl")
    .slice(0, 2000)
    .map((d) => ({ id: d._id!, text: `${d.title} ${d.text}`, metadata: {} }));
  store = new InMemoryVectorStore({ dimensions: 256, quantization: "none" });
  await store.upsert(
    await embedder
      .embedDocuments(docs.map((d) => d.text))
      .then((vs) => docs.map((d, i) => ({ ...d, vector: vs[i]! }))),
  );
  bm25 = new BM25Index();
  bm25.add(docs);
  claims = jsonl("queries.jsonl")
    .slice(0, 100)
    .map((q) => q.text!);
}, 120_000);

const ids = (docs: Array<{ id: string }>) => docs.map((d) => d.id);
const methods: Array<FusionOptions | undefined> = [undefined, { method: "rrf" }, { method: "weighted" }];

describe("hybrid candidates depth", () => {
  for (const fusion of methods) {
    it(`top 10 at k = 10 equals the first 10 at k = 100 for every query (${fusion?.method ?? "default"})`, async () => {
      const r = createRetriever({ embedder, store, lexical: bm25, splitter: false, fusion });
      let differ = 0;
      for (const q of claims) {
        const at10 = ids((await r.retrieve(q, { k: 10 })).documents);
        const at100 = ids((await r.retrieve(q, { k: 100 })).documents);
        expect(at100).toHaveLength(100);
        if (JSON.stringify(at10) !== JSON.stringify(at100.slice(0, 10))) differ++;
      }
      expect(differ).toBe(0);
    });
  }

  it("fuses the top `candidates` of each list, deepened to k when k is larger", async () => {
    const r = createRetriever({
      embedder,
      store,
      lexical: bm25,
      splitter: false,
      fusion: { method: "weighted" },
      candidates: 30,
    });
    for (const q of claims.slice(0, 20)) {
      const qv = await embedder.embedQuery(q);
      const fused = (depth: number) =>
        ids(weightedScoreFusion([store.querySync(qv, { k: depth }), bm25.search(q, { k: depth })]));
      expect(ids((await r.retrieve(q, { k: 10 })).documents)).toEqual(fused(30).slice(0, 10));
      expect(ids((await r.retrieve(q, { k: 50 })).documents)).toEqual(fused(50).slice(0, 50));
      // per call
      expect(ids((await r.retrieve(q, { k: 10, candidates: 200 })).documents)).toEqual(
        fused(200).slice(0, 10),
      );
    }
  });

  it("defaults to z-score fusion of 100 candidates, capped by maxK", async () => {
    const q = claims[0]!;
    const qv = await embedder.embedQuery(q);
    const lists = (depth: number) => [store.querySync(qv, { k: depth }), bm25.search(q, { k: depth })];
    const zscore = (depth: number) =>
      ids(weightedScoreFusion(lists(depth), { weights: [0.5, 0.5], normalization: "z-score" }));
    const r = createRetriever({ embedder, store, lexical: bm25, splitter: false });
    expect(ids((await r.retrieve(q, { k: 10 })).documents)).toEqual(zscore(100).slice(0, 10));
    const small = createRetriever({ embedder, store, lexical: bm25, splitter: false, maxK: 40 });
    expect(ids((await small.retrieve(q, { k: 10 })).documents)).toEqual(zscore(40).slice(0, 10));
    const rrf = createRetriever({
      embedder,
      store,
      lexical: bm25,
      splitter: false,
      fusion: { method: "rrf" },
    });
    expect(ids((await rrf.retrieve(q, { k: 10 })).documents)).toEqual(
      ids(reciprocalRankFusion(lists(100))).slice(0, 10),
    );
  });

  it("rejects a candidates outside [1, maxK], at creation and per call", async () => {
    const base = { embedder, store, lexical: bm25, splitter: false as const, maxK: 500 };
    for (const candidates of [0, 1.5, 501, Number.NaN]) {
      expect(() => createRetriever({ ...base, candidates })).toThrowError(ValidationError);
      await expect(createRetriever(base).retrieve("cancer", { candidates })).rejects.toThrowError(
        ValidationError,
      );
    }
  });

  it("reranks a fixed depth: the reranked top 10 at k = 10 equals the first 10 at k = 30", async () => {
    // a reranker that prefers short texts: any change in what it is handed changes its top 10
    const reranker: Reranker = {
      async rerank(_q, documents, opts = {}) {
        const byLength = [...documents].sort(
          (a, b) => a.text.length - b.text.length || (a.id < b.id ? -1 : 1),
        );
        return byLength.slice(0, opts.k ?? byLength.length).map((d, i) => ({ ...d, score: 1 / (1 + i) }));
      },
    };
    const r = createRetriever({ embedder, store, lexical: bm25, splitter: false, reranker });
    let differ = 0;
    for (const q of claims.slice(0, 30)) {
      const at10 = ids((await r.retrieve(q, { k: 10 })).documents);
      const at30 = ids((await r.retrieve(q, { k: 30 })).documents).slice(0, 10);
      if (at10.join() !== at30.join()) differ++;
    }
    expect(differ).toBe(0);
    expect(() => createRetriever({ embedder, store, reranker, rerankDepth: 0 })).toThrowError(
      ValidationError,
    );
  });
});
