/**
 * Retrieval quality and speed on BEIR SciFact (train split): BM25, dense and hybrid, ours next
 * to LangChain.js and a naive Float32Array scan, in one run, with the same MiniLM vectors.
 *
 *   pnpm bench                       # everything (LangChain BM25 and hybrid take a few minutes)
 *   pnpm bench -- --langchain-queries 200   # LangChain lexical variants on a query sample
 *
 *   pnpm bench -- --skip-langchain          # ours only (a few minutes less)
 *
 * Quality: nDCG@10 and Recall@100 as BEIR computes them. Latency: per query, query embedding
 * timed separately from search (all search variants get the same precomputed query vector).
 * The same run then adds the in-memory store's int8 and float scans and HNSW
 * (bench/lib/retrieval-stores.ts) to the table, end-to-end rows with live query embedding
 * (bench/lib/retrieval-live.ts) and concurrent callers with and without micro-batching
 * (bench/lib/retrieval-batching.ts).
 */
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { BM25Index, createRetriever, type Embedder, InMemoryVectorStore } from "@ragloom/core";
import { embedCached, loadMiniLM } from "./lib/embeddings.js";
import { fusionStudy } from "./lib/fusion-study.js";
import { meanMetric, ndcgAt, percentile, type Run, recallAt } from "./lib/metrics.js";
import { printTable, timed, writeResults } from "./lib/report.js";
import { microBatchingRows } from "./lib/retrieval-batching.js";
import { langchainVariants } from "./lib/retrieval-langchain.js";
import { liveRows } from "./lib/retrieval-live.js";
import { segmenterTokenizer } from "./lib/retrieval-segmenter.js";
import { DENSE_FLOAT, DENSE_INT8, HNSW_EFS, hnswName, storeVariants } from "./lib/retrieval-stores.js";
import { identicalLists, idsOf, type Variant } from "./lib/retrieval-variant.js";
import { loadCorpus, loadQrels, loadQueries } from "./lib/scifact.js";

const { values: args } = parseArgs({
  // `pnpm bench -- --flag` passes the `--` through; parseArgs would read what follows as positionals
  args: process.argv.slice(2).filter((a) => a !== "--"),
  options: {
    "langchain-queries": { type: "string" },
    "skip-langchain": { type: "boolean", default: false },
    "fusion-only": { type: "boolean", default: false },
  },
  allowPositionals: true,
});

const corpus = loadCorpus();
const qrels = loadQrels();
const queries = loadQueries().filter((q) => qrels.has(q.id));
console.log(`SciFact train: ${corpus.length} documents, ${queries.length} queries with qrels`);

const embedder = await loadMiniLM("fp32");
const docVectors = await embedCached(
  embedder,
  corpus.map((d) => d.text),
  "fp32",
  (a, b) => process.stdout.write(`\rembedding corpus ${a}/${b}`),
);

// Query embedding latency (one query per call, as a service would).
const queryVector = new Map<string, Float32Array>();
const embedMs: number[] = [];
for (const q of queries) {
  const [v, ms] = await timed(() => embedder.embedQuery(q.text));
  queryVector.set(q.text, v);
  embedMs.push(ms);
}
// Throughput of corpus embedding, fp32 vs int8, on a sample.
const sample = corpus.slice(0, 128).map((d) => d.text);
const [, fp32Ms] = await timed(() => embedder.embedDocuments(sample));
const q8 = await loadMiniLM("q8");
const [, q8Ms] = await timed(() => q8.embedDocuments(sample));

/** An embedder that serves the precomputed query vectors, so search timings exclude embedding. */
const precomputed: Embedder = {
  modelId: embedder.modelId,
  dimensions: embedder.dimensions,
  normalized: true,
  embedDocuments: async () => {
    throw new Error("not used");
  },
  embedQuery: async (text) => queryVector.get(text)!,
};

const HYBRID_DEFAULT = "ragloom hybrid (default: z-score convex 0.5/0.5)";

// ---- ours ----
const [store, denseBuildMs] = await timed(async () => {
  const s = new InMemoryVectorStore({ dimensions: 384, initialCapacity: corpus.length });
  await s.upsert(corpus.map((d, i) => ({ ...d, vector: docVectors[i]! })));
  return s;
});
const storeJs = new InMemoryVectorStore({ dimensions: 384, initialCapacity: corpus.length, simd: false });
await storeJs.upsert(corpus.map((d, i) => ({ ...d, vector: docVectors[i]! })));
const [bm25, bm25BuildMs] = await timed(() => {
  const index = new BM25Index();
  index.add(corpus);
  return index;
});
// BM25 build, the word scan against the earlier tokenizer (Intl.Segmenter on every non-ASCII
// document): three alternating builds each, medians
const buildMs: Record<"scan" | "segmenter", number[]> = { scan: [], segmenter: [] };
for (let r = 0; r < 3; r++) {
  buildMs.segmenter.push(
    (await timed(() => new BM25Index({ tokenizer: segmenterTokenizer() }).add(corpus)))[1],
  );
  buildMs.scan.push((await timed(() => new BM25Index().add(corpus)))[1]);
}
const bm25Lucene = new BM25Index({ k1: 1.2, b: 0.75 });
bm25Lucene.add(corpus);
const hybrid = createRetriever({ embedder: precomputed, store, lexical: bm25, splitter: false });
const hybridRrf = createRetriever({
  embedder: precomputed,
  store,
  lexical: bm25,
  splitter: false,
  fusion: { method: "rrf", k: 60 },
});
const hybridWeighted = createRetriever({
  embedder: precomputed,
  store,
  lexical: bm25,
  splitter: false,
  fusion: { method: "weighted", weights: [0.5, 0.5] },
});

// Fusion: each method's parameter chosen on a seeded tuning split, then checked on the rest.
const fusion = fusionStudy({
  queries,
  qrels,
  dense: (q) => store.querySync(queryVector.get(q)!, { k: 100 }),
  lexical: (q) => bm25.search(q, { k: 100 }),
});
console.log();
printTable(fusion.rows);
if (args["fusion-only"]) process.exit(0);

// naive scan: Float32Array rows, cosine per row, full sort (the "naive" bar)
const naiveRows = docVectors;
const naive = (q: Float32Array, k: number) => {
  const scores = naiveRows.map((v, i) => {
    let dot = 0;
    let nq = 0;
    let nv = 0;
    for (let j = 0; j < v.length; j++) {
      dot += q[j]! * v[j]!;
      nq += q[j]! * q[j]!;
      nv += v[j]! * v[j]!;
    }
    return { i, s: dot / Math.sqrt(nq * nv) };
  });
  scores.sort((a, b) => b.s - a.s);
  return scores.slice(0, k).map((x) => corpus[x.i]!.id);
};

const variants: Variant[] = [
  { name: "ragloom BM25 (k1=0.9, b=0.4)", search: async (q, k) => bm25.search(q, { k }) },
  { name: "ragloom BM25 (k1=1.2, b=0.75)", search: async (q, k) => bm25Lucene.search(q, { k }) },
  {
    name: "ragloom dense (in-memory, WASM SIMD)",
    search: async (q, k) => store.querySync(queryVector.get(q)!, { k }),
  },
  {
    name: "ragloom dense (in-memory, JS loop)",
    search: async (q, k) => storeJs.querySync(queryVector.get(q)!, { k }),
  },
  { name: "naive Float32Array scan", search: async (q, k) => naive(queryVector.get(q)!, k) },
  {
    name: HYBRID_DEFAULT,
    search: async (q, k) => (await hybrid.retrieve(q, { k })).documents,
  },
  {
    name: "ragloom hybrid (RRF k=60)",
    search: async (q, k) => (await hybridRrf.retrieve(q, { k })).documents,
  },
  {
    name: "ragloom hybrid (weighted min-max 0.5/0.5)",
    search: async (q, k) => (await hybridWeighted.retrieve(q, { k })).documents,
  },
];

// ---- explicit int8 / float scans and HNSW, same vectors ----
const stores = await storeVariants(corpus, docVectors, queryVector);
variants.push(...stores.variants);

// ---- LangChain.js, same vectors ----
if (!args["skip-langchain"]) {
  const lcSample = args["langchain-queries"] ? queries.slice(0, Number(args["langchain-queries"])) : queries;
  variants.push(...(await langchainVariants(corpus, docVectors, queryVector, lcSample)));
}

const rows: Array<Record<string, string | number>> = [];
const results: Record<string, unknown> = {};
const top10: Record<string, Map<string, string[]>> = {};
for (const v of variants) {
  const qs = v.queries ?? queries;
  const run: Run = new Map();
  for (const q of qs) run.set(q.id, idsOf(await v.search(q.text, 100)));
  const sub = new Map([...qrels].filter(([qid]) => run.has(qid)));
  const ms: number[] = [];
  const tops = new Map<string, string[]>();
  for (const q of qs) {
    const [r, t] = await timed(() => v.search(q.text, 10));
    ms.push(t);
    tops.set(q.id, idsOf(r));
  }
  top10[v.name] = tops;
  // queries whose top 10 at k = 10 is the first 10 at k = 100 (the order must not depend on k)
  let agree = 0;
  for (const [qid, list] of tops)
    if (JSON.stringify(list) === JSON.stringify(run.get(qid)!.slice(0, 10))) agree++;
  const row = {
    variant: v.name,
    queries: qs.length,
    "top-10 same at k=10, 100": agree,
    "nDCG@10": meanMetric(run, sub, (r, rels) => ndcgAt(r, rels, 10)),
    "Recall@100": meanMetric(run, sub, (r, rels) => recallAt(r, rels, 100)),
    "p50 ms": percentile(ms, 50),
    "p95 ms": percentile(ms, 95),
  };
  rows.push(row);
  results[v.name] = row;
  console.log(`\r${v.name}: done`.padEnd(60));
}

// speed ratios and top-k identity against LangChain's dense search
const p50 = (name: string) => (results[name] as { "p50 ms": number } | undefined)?.["p50 ms"];
const ratio = (a: string, b: string) => (p50(a) && p50(b) ? p50(a)! / p50(b)! : Number.NaN);
const same = (a: string, b: string) => {
  const ta = top10[a];
  const tb = top10[b];
  if (!ta || !tb) return Number.NaN;
  const { same, n } = identicalLists(ta, tb);
  return same / n;
};
function hybridGain() {
  const n = (name: string) => (results[name] as { "nDCG@10": number })["nDCG@10"];
  return (
    n(HYBRID_DEFAULT) - Math.max(n("ragloom BM25 (k1=0.9, b=0.4)"), n("ragloom dense (in-memory, WASM SIMD)"))
  );
}
console.log();
printTable(rows);
const summary = {
  "dense speed-up vs LangChain MemoryVectorStore (p50 ratio)": ratio(
    "LangChain MemoryVectorStore",
    "ragloom dense (in-memory, WASM SIMD)",
  ),
  "dense speed-up vs naive scan": ratio("naive Float32Array scan", "ragloom dense (in-memory, WASM SIMD)"),
  "dense speed-up, WASM SIMD vs JS loop": ratio(
    "ragloom dense (in-memory, JS loop)",
    "ragloom dense (in-memory, WASM SIMD)",
  ),
  "BM25 speed-up vs LangChain BM25Retriever": ratio(
    "LangChain BM25Retriever",
    "ragloom BM25 (k1=0.9, b=0.4)",
  ),
  "hybrid speed-up vs LangChain EnsembleRetriever": ratio(
    "LangChain EnsembleRetriever (BM25+dense)",
    HYBRID_DEFAULT,
  ),
  "identical top-10 lists, ragloom dense vs LangChain dense": same(
    "ragloom dense (in-memory, WASM SIMD)",
    "LangChain MemoryVectorStore",
  ),
  "identical top-10 lists, ragloom dense vs naive scan": same(
    "ragloom dense (in-memory, WASM SIMD)",
    "naive Float32Array scan",
  ),
  "hybrid (default) nDCG@10 minus best single retriever": hybridGain(),
  [`identical top-10 lists (queries, of ${queries.length}), int8 scan + rescoring vs float scan`]:
    same(DENSE_INT8, DENSE_FLOAT) * queries.length,
  'dense p50 ratio, quantization "none" / "int8"': ratio(DENSE_FLOAT, DENSE_INT8),
  ...Object.fromEntries(
    HNSW_EFS.flatMap((ef) => [
      [`HNSW ef=${ef} p50 / exact int8 p50`, ratio(hnswName(ef), DENSE_INT8)],
      [
        `identical top-10 lists (queries), HNSW ef=${ef} vs exact`,
        same(hnswName(ef), DENSE_INT8) * queries.length,
      ],
    ]),
  ),
};
console.log();
printTable(Object.entries(summary).map(([k, v]) => ({ measure: k, value: v })));
const indexing = {
  "query embedding p50 ms (fp32, one query per call)": percentile(embedMs, 50),
  "query embedding p95 ms": percentile(embedMs, 95),
  "corpus embedding docs/s fp32 (128-doc sample)": (128 / fp32Ms) * 1000,
  "corpus embedding docs/s int8": (128 / q8Ms) * 1000,
  "dense index build ms (5,183 vectors)": denseBuildMs,
  ...stores.indexing,
  "BM25 index build ms (5,183 docs, first build)": bm25BuildMs,
  "BM25 index build ms, median of 3 (word scan)": percentile(buildMs.scan, 50),
  "BM25 index build ms, median of 3 (Intl.Segmenter on non-ASCII documents)": percentile(
    buildMs.segmenter,
    50,
  ),
  "BM25 build speed-up, word scan vs Intl.Segmenter":
    percentile(buildMs.segmenter, 50) / percentile(buildMs.scan, 50),
};
console.log();
printTable(Object.entries(indexing).map(([k, v]) => ({ measure: k, value: v })));

// ---- end to end: live query embedding, then concurrent callers with and without micro-batching ----
console.log("\nend to end, live query embedding (fp32 MiniLM, one query per call):");
const live = await liveRows(embedder, store, bm25, queries, qrels, {
  dense: top10["ragloom dense (in-memory, WASM SIMD)"],
  hybrid: top10[HYBRID_DEFAULT],
});
printTable(live);
console.log("\nconcurrent callers, hybrid k=10, live embedder with and without withMicroBatching:");
const batching = await microBatchingRows(embedder, store, bm25, queries, qrels);
printTable(batching.rows);
const file = writeResults("retrieval", {
  date: new Date().toISOString(),
  dataset: "BEIR SciFact train",
  documents: corpus.length,
  queries: queries.length,
  model: "Xenova/all-MiniLM-L6-v2 fp32",
  node: process.version,
  machine:
    "2 cores shared with other jobs: latencies and build times vary with load; compare ratios within the run",
  "load average (1, 5, 15 min) at the end": loadavg(),
  variants: rows,
  fusion: { split: fusion.split, chosen: fusion.chosen, table: fusion.rows, tuningCurves: fusion.curves },
  summary,
  indexing,
  live,
  microBatching: batching,
});
console.log(`\nwrote ${file}`);
