/**
 * Parent-document and auto-merging retrieval on BEIR SciFact (train split, 809 claims, 5,183
 * abstracts indexed as `title + " " + text`), with the real all-MiniLM-L6-v2.
 *
 *   pnpm tsx bench/parent-document.ts [--queries N] [--dtype fp32|q8] [--mid 128] [--leaf 64]
 *
 * --queries N   evaluate every ⌈809/N⌉-th claim only (default: all 809)
 * --dtype       model weights (default fp32, the weights of the published baseline)
 * --mid, --leaf chunk sizes in MiniLM word pieces of the middle level and of the leaf children
 *               (overlaps 16 and 8); level 0 is the whole abstract
 *
 * Every abstract is split into three levels (whole abstract → mid chunks → small leaf chunks);
 * only the leaves are embedded. Variants, side by side on the same index:
 * - dense baseline: the whole abstracts embedded directly (one vector each; MiniLM truncates at 256);
 * - children only: the top 10 leaf chunks;
 * - parent-document: leaves searched (childK), grouped by parent (abstract or mid chunk), parents
 *   scored by max or sum of child cosine similarities, top 10 parents;
 * - auto-merging: top childK leaves, merged into parents when more than the ratio of a parent's
 *   children were retrieved, recursively; top 10 results.
 * nDCG@10 is computed at the document level (BEIR, bench/lib/metrics.ts): each ranked list of
 * chunks becomes the list of their source abstracts, first occurrence kept, so a result list that
 * repeats an abstract covers fewer than 10 documents. Tokens: js-tiktoken cl100k_base, summed over
 * the texts a variant returns (what an LLM prompt would receive). Leaf embeddings are cached in
 * $RAGLOOM_CACHE/bench keyed by model, dtype, chunking fingerprint and a hash of the texts.
 */
import { createHash } from "node:crypto";
import { parseArgs } from "node:util";
import { loadTiktokenTokenizer } from "@ragloom/compression";
import { type Embedder, InMemoryVectorStore } from "@ragloom/core";
import {
  createHierarchicalSplitter,
  createInMemoryDocStore,
  createParentDocumentRetriever,
  type ParentRetrieveOptions,
} from "@ragloom/parent-document";
import { embedCached, loadMiniLM } from "./lib/embeddings.js";
import { meanMetric, ndcgAt, percentile, type Run, recallAt } from "./lib/metrics.js";
import { printTable, writeResults } from "./lib/report.js";
import { loadCorpus, loadQrels, loadQueries } from "./lib/scifact.js";

const { values: args } = parseArgs({
  options: {
    queries: { type: "string" },
    dtype: { type: "string", default: "fp32" },
    mid: { type: "string", default: "128" },
    leaf: { type: "string", default: "64" },
  },
});
const dtype = args.dtype as "fp32" | "q8";
const MID = Number(args.mid);
const LEAF = Number(args.leaf);
const K = 10;

const corpus = loadCorpus();
const qrels = loadQrels();
const allQueries = loadQueries().filter((q) => qrels.has(q.id));
const every = args.queries ? Math.max(1, Math.ceil(allQueries.length / Number(args.queries))) : 1;
const queries = allQueries.filter((_, i) => i % every === 0);
const evalQrels = new Map(queries.map((q) => [q.id, qrels.get(q.id)!]));
console.log(
  `SciFact train: ${corpus.length} abstracts, ${queries.length} of ${allQueries.length} claims` +
    (every > 1 ? ` (every ${every}th)` : ""),
);

const model = await loadMiniLM(dtype);
const splitter = createHierarchicalSplitter({
  levels: [
    { chunkSize: Number.POSITIVE_INFINITY },
    { chunkSize: MID, chunkOverlap: 16 },
    { chunkSize: LEAF, chunkOverlap: 8 },
  ],
  tokenizer: model,
});

// ---------------------------------------------------------------- embeddings (cached)
let t = performance.now();
const chunks = splitter.splitDocuments(corpus);
const splitSeconds = (performance.now() - t) / 1000;
const leafTexts = [...new Set(chunks.filter((c) => c.metadata.level === 2).map((c) => c.text))];
const midCount = chunks.filter((c) => c.metadata.level === 1).length;
const leafCount = chunks.filter((c) => c.metadata.level === 2).length;
console.log(
  `split in ${splitSeconds.toFixed(1)} s: ${midCount} mid chunks, ${leafCount} leaves (${leafTexts.length} distinct texts)`,
);
const fp = createHash("sha256").update(splitter.fingerprint).digest("hex").slice(0, 12);
t = performance.now();
const leafVectors = await embedCached(model, leafTexts, `${dtype}-pd-${fp}`, (done, total) =>
  process.stderr.write(
    `\r  embedding leaves ${done}/${total} (${((performance.now() - t) / 1000).toFixed(0)} s)`,
  ),
);
process.stderr.write("\n");
const absVectors = await embedCached(
  model,
  corpus.map((d) => d.text),
  dtype,
  (done, total) => process.stderr.write(`\r  embedding abstracts ${done}/${total}`),
);

const vectorOf = new Map<string, Float32Array>(leafTexts.map((text, i) => [text, leafVectors[i]!]));
let misses = 0;
/** The real model behind a text → vector cache (leaves from the file cache, queries embedded once). */
const embedder: Embedder = {
  modelId: model.modelId,
  dimensions: model.dimensions,
  normalized: model.normalized,
  countTokens: (text) => model.countTokens(text),
  async embedDocuments(texts) {
    const miss = [...new Set(texts.filter((x) => !vectorOf.has(x)))];
    if (miss.length) {
      misses += miss.length;
      (await model.embedDocuments(miss)).forEach((v, i) => vectorOf.set(miss[i]!, v));
    }
    return texts.map((x) => vectorOf.get(x)!);
  },
  async embedQuery(text) {
    const key = `\u0000q\u0000${text}`;
    if (!vectorOf.has(key)) vectorOf.set(key, await model.embedQuery(text));
    return vectorOf.get(key)!;
  },
};

// ---------------------------------------------------------------- indexes
const vectorStore = new InMemoryVectorStore({ dimensions: model.dimensions, initialCapacity: leafCount });
const retriever = createParentDocumentRetriever({
  vectorStore,
  docStore: createInMemoryDocStore(),
  embedder,
  splitter,
  batchSize: 512,
  documentBatchSize: 256,
});
t = performance.now();
const added = await retriever.add(corpus);
const addSeconds = (performance.now() - t) / 1000;
console.log(
  `retriever.add: ${added.indexed.length} abstracts, ${added.parents} parents, ${added.children} children in ${addSeconds.toFixed(1)} s (${misses} texts embedded outside the cache)`,
);
const abstracts = new InMemoryVectorStore({ dimensions: model.dimensions, initialCapacity: corpus.length });
await abstracts.upsert(corpus.map((d, i) => ({ ...d, vector: absVectors[i]! })));
for (const q of queries) await embedder.embedQuery(q.text);

// ---------------------------------------------------------------- variants
const tiktoken = await loadTiktokenTokenizer("cl100k_base");
const tokenCache = new Map<string, number>();
const tokens = (text: string) => {
  let n = tokenCache.get(text);
  if (n === undefined) {
    n = tiktoken.count(text);
    tokenCache.set(text, n);
  }
  return n;
};

interface Outcome {
  /** Source abstract ids, best first, first occurrence kept. */
  docs: string[];
  texts: string[];
  merged?: number;
}
type Variant = { name: string; run: (query: string) => Promise<Outcome> };

const viaRetriever =
  (options: ParentRetrieveOptions) =>
  async (query: string): Promise<Outcome> => {
    const { documents, info } = await retriever.retrieve(query, { k: K, ...options });
    return {
      docs: [...new Set(documents.map((d) => d.metadata.sourceId as string))],
      texts: documents.map((d) => d.text),
      merged: info?.merged as number | undefined,
    };
  };

const variants: Variant[] = [
  {
    name: "dense baseline: whole abstracts embedded",
    run: async (query) => {
      const hits = await abstracts.query(await embedder.embedQuery(query), { k: K });
      return { docs: hits.map((h) => h.id), texts: hits.map((h) => h.text) };
    },
  },
  { name: `children only (top 10 ${LEAF}-token chunks)`, run: viaRetriever({ mode: "children" }) },
  {
    name: "parent-doc: abstract parents, max, childK 100",
    run: viaRetriever({ parentLevel: 0, scoring: "max", childK: 100 }),
  },
  {
    name: "parent-doc: abstract parents, sum, childK 100",
    run: viaRetriever({ parentLevel: 0, scoring: "sum", childK: 100 }),
  },
  {
    name: "parent-doc: abstract parents, sum, childK 30",
    run: viaRetriever({ parentLevel: 0, scoring: "sum", childK: 30 }),
  },
  {
    name: `parent-doc: ${MID}-token parents, max, childK 100`,
    run: viaRetriever({ parentLevel: 1, scoring: "max", childK: 100 }),
  },
  {
    name: `parent-doc: ${MID}-token parents, sum, childK 100`,
    run: viaRetriever({ parentLevel: 1, scoring: "sum", childK: 100 }),
  },
  {
    name: "auto-merge: ratio 0.5, childK 20",
    run: viaRetriever({ mode: "auto-merge", autoMergeRatio: 0.5, childK: 20 }),
  },
  {
    name: "auto-merge: ratio 0.5, childK 50",
    run: viaRetriever({ mode: "auto-merge", autoMergeRatio: 0.5, childK: 50 }),
  },
  {
    name: "auto-merge: ratio 0.3, childK 50",
    run: viaRetriever({ mode: "auto-merge", autoMergeRatio: 0.3, childK: 50 }),
  },
];

const rows: Array<Record<string, string | number>> = [];
for (const variant of variants) {
  const run: Run = new Map();
  const tokenCounts: number[] = [];
  const docCounts: number[] = [];
  const ms: number[] = [];
  let merged = 0;
  for (const q of queries) {
    const start = performance.now();
    const out = await variant.run(q.text);
    ms.push(performance.now() - start);
    run.set(q.id, out.docs);
    tokenCounts.push(out.texts.reduce((s, x) => s + tokens(x), 0));
    docCounts.push(out.docs.length);
    merged += out.merged ?? 0;
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  rows.push({
    variant: variant.name,
    "nDCG@10": meanMetric(run, evalQrels, (r, rels) => ndcgAt(r, rels, 10)),
    "Recall@10": meanMetric(run, evalQrels, (r, rels) => recallAt(r, rels, 10)),
    "docs/query": Number(mean(docCounts).toFixed(2)),
    "tokens/query": Math.round(mean(tokenCounts)),
    "merged/query": Number((merged / queries.length).toFixed(2)),
    "p50 ms": Number(percentile(ms, 50).toFixed(2)),
  });
  process.stderr.write(`  ${variant.name} done\n`);
}

console.log();
printTable(rows);
const file = writeResults("parent-document", {
  dataset: "BEIR SciFact, train split",
  queries: queries.length,
  subsample: every > 1 ? `every ${every}th claim` : "none",
  model: `${model.modelId} (${dtype}, transformers.js, mean pooling, normalised)`,
  levels: {
    level0: "whole abstract",
    level1: `${MID} tokens, overlap 16`,
    level2: `${LEAF} tokens, overlap 8`,
    unit: splitter.unit,
  },
  chunks: { abstracts: corpus.length, mid: midCount, leaves: leafCount },
  k: K,
  tokens: "js-tiktoken cl100k_base, sum over returned texts, mean per query",
  ndcg: "document level: returned chunks mapped to their source abstracts, first occurrence kept (BEIR nDCG@10, bench/lib/metrics.ts)",
  "p50 ms": "retrieve() per query, query embedding cached (search + grouping/merging only)",
  indexing: { splitSeconds, addSeconds, textsEmbeddedOutsideCache: misses },
  rows,
});
console.log(`\nwrote ${file}`);
await model.dispose?.();
