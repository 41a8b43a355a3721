/**
 * Cross-encoder reranking on BEIR SciFact (train split): hybrid retrieval (BM25 + all-MiniLM-L6-v2,
 * min-max weighted fusion 0.5/0.5) alone, then with the cross-encoder reranking its top
 * `rerankDepth` candidates, for a few depths. Quality: nDCG@10 as BEIR computes it. Latency: the
 * `rerank` stage of each retrieval (ms per query, p50/p95), i.e. what reranking adds.
 *
 *   pnpm tsx bench/rerank.ts [--queries N] [--depths 20,50] [--model ID] [--dtype fp32|q8] [--batch N]
 *
 * Needs the cross-encoder in the local model folder ($RAGLOOM_MODEL_DIR/<model id>/, transformers.js
 * layout with onnx/model.onnx); without it the script says so and exits with status 2.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import {
  BM25Index,
  createRetriever,
  type Embedder,
  type FusionOptions,
  InMemoryVectorStore,
} from "@ragloom/core";
import { createCrossEncoderReranker } from "@ragloom/core/transformers";
import { embedCached, loadMiniLM, MODEL_DIR } from "./lib/embeddings.js";
import { meanMetric, ndcgAt, percentile, type Run } from "./lib/metrics.js";
import { printTable, writeResults } from "./lib/report.js";
import { loadCorpus, loadQrels, loadQueries } from "./lib/scifact.js";

const { values: args } = parseArgs({
  options: {
    queries: { type: "string" },
    depths: { type: "string", default: "20,50" },
    model: { type: "string", default: "Xenova/ms-marco-MiniLM-L-6-v2" },
    dtype: { type: "string", default: "fp32" },
    batch: { type: "string", default: "16" },
  },
});
const modelId = args.model!;
const dtype = args.dtype as "fp32" | "q8";
const onnx = join(MODEL_DIR, modelId, "onnx", dtype === "q8" ? "model_quantized.onnx" : "model.onnx");
if (!existsSync(onnx)) {
  console.error(
    `no cross-encoder at ${onnx}: put ${modelId} (transformers.js layout) into the model folder ` +
      "or pass --model with one that is there",
  );
  process.exit(2);
}

const corpus = loadCorpus();
const qrels = loadQrels();
const all = loadQueries().filter((q) => qrels.has(q.id));
const every = args.queries ? Math.max(1, Math.ceil(all.length / Number(args.queries))) : 1;
const queries = all.filter((_, i) => i % every === 0);
const evalQrels = new Map(queries.map((q) => [q.id, qrels.get(q.id)!]));
console.log(
  `SciFact train: ${corpus.length} documents, ${queries.length} of ${all.length} queries with qrels`,
);

const embedder = await loadMiniLM("fp32");
const docVectors = await embedCached(
  embedder,
  corpus.map((d) => d.text),
  "fp32",
  (a, b) => process.stdout.write(`\rembedding corpus ${a}/${b}`),
);
const queryVectors = await embedCached(
  embedder,
  queries.map((q) => q.text),
  "fp32-queries-rerank",
);
const queryVector = new Map(queries.map((q, i) => [q.text, queryVectors[i]!]));
/** Serves the precomputed query vectors, so timings are retrieval and reranking only. */
const precomputed: Embedder = {
  modelId: embedder.modelId,
  dimensions: embedder.dimensions,
  normalized: true,
  embedDocuments: async () => {
    throw new Error("not used");
  },
  embedQuery: async (text) => queryVector.get(text)!,
};
const store = new InMemoryVectorStore({ dimensions: embedder.dimensions, initialCapacity: corpus.length });
await store.upsert(corpus.map((d, i) => ({ ...d, vector: docVectors[i]! })));
const bm25 = new BM25Index();
bm25.add(corpus);

const reranker = await createCrossEncoderReranker({
  model: modelId,
  localModelPath: MODEL_DIR,
  offline: true,
  dtype,
  batchSize: Number(args.batch),
});

const rows: Array<Record<string, string | number>> = [];
const fusion: FusionOptions = { method: "weighted", weights: [0.5, 0.5] };
const variants: Array<{ name: string; depth?: number }> = [
  { name: "hybrid weighted 0.5/0.5" },
  ...args.depths!.split(",").map((d) => ({ name: `+ cross-encoder, rerankDepth ${d}`, depth: Number(d) })),
];
for (const v of variants) {
  const retriever = createRetriever({
    embedder: precomputed,
    store,
    lexical: bm25,
    splitter: false,
    fusion,
    ...(v.depth ? { reranker, rerankDepth: v.depth } : {}),
  });
  const run: Run = new Map();
  const rerankMs: number[] = [];
  const totalMs: number[] = [];
  for (const [i, q] of queries.entries()) {
    const res = await retriever.retrieve(q.text, { k: 10 });
    run.set(
      q.id,
      res.documents.map((d) => d.id),
    );
    if (res.timings.rerank !== undefined) rerankMs.push(res.timings.rerank);
    totalMs.push(res.timings.total ?? 0);
    if (v.depth) process.stderr.write(`\r  ${v.name}: ${i + 1}/${queries.length}`);
  }
  if (v.depth) process.stderr.write("\n");
  rows.push({
    variant: v.name,
    "nDCG@10": meanMetric(run, evalQrels, (r, g) => ndcgAt(r, g, 10)),
    "rerank p50 ms": rerankMs.length ? percentile(rerankMs, 50) : 0,
    "rerank p95 ms": rerankMs.length ? percentile(rerankMs, 95) : 0,
    "total p50 ms": percentile(totalMs, 50),
  });
}
printTable(rows);
const file = writeResults("rerank", {
  dataset: "BEIR SciFact, train split (corpus.jsonl, qrels/train.tsv)",
  retrieval: `hybrid: BM25 (k1 0.9, b 0.4) + ${embedder.modelId} fp32, weighted min-max fusion 0.5/0.5`,
  reranker: `${modelId} (${dtype}), batch ${args.batch}, sigmoid scores`,
  queries: queries.length,
  queriesSampling: every > 1 ? `every ${every}th query` : "all",
  date: new Date().toISOString(),
  rows,
});
console.log(`wrote ${file}`);
await reranker.dispose();
await embedder.dispose?.();
