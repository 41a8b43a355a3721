/**
 * Contextual compression on BEIR SciFact (train split): for the top-10 documents retrieved densely
 * (all-MiniLM-L6-v2, fp32) for each claim, how many tokens each compressor removes and how many of
 * the gold evidence sentences (of gold documents that were retrieved) survive.
 *
 *   pnpm tsx bench/compression.ts [--queries N] [--llm N] [--only REGEX]
 *
 * --queries N  evaluate every ⌈809/N⌉-th query only (default: all 809)
 * --llm N      also run the LLM filter and extractor (SmolLM2-135M on the local llama.cpp server)
 *              on the first N evaluated queries that have evidence (default 0: skipped)
 * --only REGEX run only the compressors whose name matches (for exploring)
 *
 * Tokens: js-tiktoken cl100k_base, summed over the texts handed to the LLM.
 * Evidence: a gold sentence (corpus_sentences.jsonl, indices from queries.jsonl `metadata`) survives
 * when its text, whitespace-normalised, is contained in the compressed text of its document.
 * Embeddings of the corpus and of the sentences are cached in $RAGLOOM_CACHE/bench (bench/lib,
 * keyed by model, dtype and a hash of the texts); compressors then run on cached vectors, so the `ms/query`
 * column is compression work without model inference (sentence inference cost is printed apart).
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import {
  createEmbeddingsFilter,
  createLLMExtractor,
  createLLMFilter,
  createRedundancyFilter,
  createSentenceExtractor,
  createTokenBudget,
  type DocumentCompressor,
  intlSentenceSplitter,
  loadTiktokenTokenizer,
  pipeline,
} from "@ragloom/compression";
import {
  createOpenAICompatibleModel,
  type Embedder,
  InMemoryVectorStore,
  type VectorHit,
} from "@ragloom/core";

import { embedCached as embedCachedLib, loadMiniLM } from "./lib/embeddings.js";
import { SCIFACT_DIR as SCIFACT } from "./lib/scifact.js";

const ROOT = resolve(import.meta.dirname, "..");
const TOP_K = 10;

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};

const jsonl = <T>(file: string): T[] =>
  readFileSync(join(SCIFACT, file), "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as T);

/** bench/lib's cached embedding (in $RAGLOOM_CACHE/bench, keyed by model, tag and a hash of the texts), with progress. */
async function embedCached(embedder: Embedder, texts: string[], tag: string): Promise<Float32Array[]> {
  const t0 = performance.now();
  const out = await embedCachedLib(embedder, texts, tag, (done, total) =>
    process.stderr.write(
      `\r  embedding ${tag}: ${done}/${total} (${((performance.now() - t0) / 1000).toFixed(0)} s)`,
    ),
  );
  if (performance.now() - t0 > 1000) process.stderr.write("\n");
  return out;
}

/** An embedder that answers from a text → vector map first (the real model fills the misses). */
function cachedEmbedder(inner: Embedder, cache: Map<string, Float32Array>): Embedder & { misses: number } {
  const self = {
    modelId: inner.modelId,
    dimensions: inner.dimensions,
    normalized: inner.normalized,
    misses: 0,
    async embedDocuments(texts: string[]) {
      const miss = [...new Set(texts.filter((t) => !cache.has(t)))];
      if (miss.length) {
        self.misses += miss.length;
        const vs = await inner.embedDocuments(miss);
        for (const [i, t] of miss.entries()) cache.set(t, vs[i]!);
      }
      return texts.map((t) => cache.get(t)!);
    },
    async embedQuery(text: string) {
      const key = `\u0000query\u0000${text}`;
      let v = cache.get(key);
      if (!v) {
        v = await inner.embedQuery(text);
        cache.set(key, v);
      }
      return v;
    },
  };
  return self;
}

// ---------------------------------------------------------------- data
interface Query {
  _id: string;
  text: string;
  metadata: Record<string, Array<{ sentences: number[]; label: string }>>;
}
const corpus = jsonl<{ _id: string; title: string; sentences: string[] }>("corpus_sentences.jsonl");
const byId = new Map(corpus.map((d) => [d._id, d]));
const docText = (d: { title: string; sentences: string[] }) => `${d.title} ${d.sentences.join(" ")}`;
const allQueries = jsonl<Query>("queries.jsonl");
const every = Math.max(1, Math.ceil(allQueries.length / arg("queries", allQueries.length)));
const queries = allQueries.filter((_, i) => i % every === 0);
const llmQueries = arg("llm", 0);

const norm = (s: string) => s.replace(/\s+/g, " ").trim();

console.log(
  `SciFact train: ${corpus.length} docs, ${queries.length} of ${allQueries.length} queries` +
    (every > 1 ? ` (every ${every}th)` : "") +
    `, ${queries.filter((q) => Object.keys(q.metadata).length).length} with evidence`,
);

// ---------------------------------------------------------------- retrieval
const model = await loadMiniLM("fp32");
const corpusVectors = await embedCached(model, corpus.map(docText), "fp32");
const store = new InMemoryVectorStore({ dimensions: model.dimensions, initialCapacity: corpus.length });
await store.upsert(
  corpus.map((d, i) => ({ id: d._id, text: docText(d), metadata: {}, vector: corpusVectors[i]! })),
);

const cache = new Map<string, Float32Array>();
const embedder = cachedEmbedder(model, cache);
const retrieved = new Map<string, VectorHit[]>();
for (const q of queries) {
  retrieved.set(
    q._id,
    await store.query(await embedder.embedQuery(q.text), { k: TOP_K, includeVectors: true }),
  );
}

// Warm the sentence cache: every sentence of every retrieved document, as the default splitter cuts it.
const split = intlSentenceSplitter("en");
const sentenceSet = new Set<string>();
for (const hits of retrieved.values())
  for (const h of hits) for (const s of split(h.text)) sentenceSet.add(s);
const sentences = [...sentenceSet];
const s0 = performance.now();
const sentenceVectors = await embedCached(model, sentences, "fp32-intl-sentences");
const sentenceSecs = (performance.now() - s0) / 1000;
for (const [i, s] of sentences.entries()) cache.set(s, sentenceVectors[i]!);
const sentencesPerQuery =
  [...retrieved.values()].reduce((n, hits) => n + hits.reduce((m, h) => m + split(h.text).length, 0), 0) /
  queries.length;

// ---------------------------------------------------------------- compressors
const tokenizer = await loadTiktokenTokenizer("cl100k_base");
const quiet = () => {};
const extract = (o: Omit<Parameters<typeof createSentenceExtractor>[0], "embedder">) =>
  createSentenceExtractor({ embedder, onWarning: quiet, ...o });
const half = { by: "ratio", ratio: 0.5, tokenizer } as const;
const plus = (documentWeight: number) =>
  ({ scope: "all", scoring: "sentence+document", documentWeight }) as const;
const allVariants: Array<{ family: string; compressor: DocumentCompressor }> = [
  { family: "embeddings filter", compressor: createEmbeddingsFilter({ embedder, k: 5 }) },
  { family: "embeddings filter", compressor: createEmbeddingsFilter({ embedder, k: 3 }) },
  { family: "embeddings filter", compressor: createEmbeddingsFilter({ embedder, similarityThreshold: 0.5 }) },
  { family: "sentence extraction", compressor: extract({ select: { by: "threshold", threshold: 0.3 } }) },
  { family: "sentence extraction", compressor: extract({ select: { by: "threshold", threshold: 0.4 } }) },
  {
    family: "sentence extraction",
    compressor: extract({ select: { by: "fraction", fraction: 0.5 }, scope: "all" }),
  },
  { family: "sentence extraction", compressor: extract({ select: half }) },
  { family: "sentence extraction", compressor: extract({ select: half, scope: "all" }) },
  { family: "sentence extraction", compressor: extract({ select: half, scope: "all", neighbors: 1 }) },
  { family: "sentence extraction", compressor: extract({ select: half, ...plus(1) }) },
  { family: "sentence extraction", compressor: extract({ select: half, ...plus(2) }) },
  { family: "sentence extraction", compressor: extract({ select: half, ...plus(4) }) },
  { family: "sentence extraction", compressor: extract({ select: half, ...plus(8) }) },
  { family: "sentence extraction", compressor: extract({ select: half, ...plus(4), neighbors: 1 }) },
  {
    family: "sentence extraction",
    compressor: extract({ select: { by: "ratio", ratio: 0.4, tokenizer }, ...plus(4) }),
  },
  {
    family: "sentence extraction",
    compressor: extract({ select: { by: "budget", maxTokens: 1000, tokenizer }, ...plus(4) }),
  },
  {
    family: "redundancy filter",
    compressor: createRedundancyFilter({ embedder, level: "document", threshold: 0.95 }),
  },
  {
    family: "redundancy filter",
    compressor: createRedundancyFilter({ embedder, level: "sentence", threshold: 0.9 }),
  },
  { family: "token budget", compressor: createTokenBudget({ maxTokens: 1000, tokenizer, onWarning: quiet }) },
  {
    family: "token budget",
    compressor: createTokenBudget({ maxTokens: 1000, tokenizer, embedder, onWarning: quiet }),
  },
  {
    family: "pipeline",
    compressor: pipeline(
      createRedundancyFilter({ embedder, level: "document", threshold: 0.95 }),
      createEmbeddingsFilter({ embedder, k: 8 }),
      extract({ select: { by: "ratio", ratio: 0.6, tokenizer }, ...plus(4) }),
      createTokenBudget({ maxTokens: 1500, tokenizer, onWarning: quiet }),
    ),
  },
];
const only = process.argv.includes("--only")
  ? new RegExp(process.argv[process.argv.indexOf("--only") + 1]!)
  : null;
const variants = only ? allVariants.filter((v) => only.test(v.compressor.name)) : allVariants;

// ---------------------------------------------------------------- evaluation
interface Row {
  family: string;
  compressor: string;
  queries: number;
  tokensBefore: number;
  tokensAfter: number;
  /** 1 - Σ after / Σ before over all evaluated queries. */
  tokenReduction: number;
  /** Mean over queries of the per-query reduction. */
  meanQueryReduction: number;
  evidenceTotal: number;
  evidenceKept: number;
  /** Share of gold evidence sentences of retrieved gold documents that survive. */
  evidenceRecall: number;
  /** Share of retrieved gold documents still present after compression. */
  goldDocsKept: number;
  docsAfterPerQuery: number;
  msPerQuery: number;
}

const tokenCounts = new Map<string, number>();
/** cl100k_base count, memoised by text (the benchmark counts the same texts for every compressor). */
const countTokens = (text: string) => {
  let n = tokenCounts.get(text);
  if (n === undefined) {
    n = tokenizer.count(text);
    tokenCounts.set(text, n);
  }
  return n;
};

async function evaluate(family: string, c: DocumentCompressor, qs: Query[]): Promise<Row> {
  let before = 0;
  let after = 0;
  let redSum = 0;
  let evTotal = 0;
  let evKept = 0;
  let goldDocs = 0;
  let goldDocsKept = 0;
  let docsAfter = 0;
  let ms = 0;
  for (const q of qs) {
    const docs = retrieved.get(q._id)!;
    const t0 = performance.now();
    const out = await c.compress(docs, q.text);
    ms += performance.now() - t0;
    const b = docs.reduce((s, d) => s + countTokens(d.text), 0);
    const a = out.reduce((s, d) => s + countTokens(d.text), 0);
    before += b;
    after += a;
    redSum += 1 - a / b;
    docsAfter += out.length;
    const outById = new Map(out.map((d) => [d.id, norm(d.text)]));
    for (const [docId, evidence] of Object.entries(q.metadata)) {
      if (!docs.some((d) => d.id === docId)) continue;
      goldDocs++;
      const kept = outById.get(docId);
      if (kept !== undefined) goldDocsKept++;
      const idx = new Set(evidence.flatMap((e) => e.sentences));
      for (const i of idx) {
        evTotal++;
        const s = norm(byId.get(docId)!.sentences[i]!);
        if (kept?.includes(s)) evKept++;
      }
    }
  }
  return {
    family,
    compressor: c.name,
    queries: qs.length,
    tokensBefore: before,
    tokensAfter: after,
    tokenReduction: 1 - after / before,
    meanQueryReduction: redSum / qs.length,
    evidenceTotal: evTotal,
    evidenceKept: evKept,
    evidenceRecall: evTotal ? evKept / evTotal : Number.NaN,
    goldDocsKept: goldDocs ? goldDocsKept / goldDocs : Number.NaN,
    docsAfterPerQuery: docsAfter / qs.length,
    msPerQuery: ms / qs.length,
  };
}

const rows: Row[] = [];
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const print = (r: Row) =>
  console.log(
    `| ${r.family} | ${r.compressor} | ${r.queries} | ${pct(r.tokenReduction)} | ${pct(r.evidenceRecall)} (${r.evidenceKept}/${r.evidenceTotal}) | ${pct(r.goldDocsKept)} | ${r.docsAfterPerQuery.toFixed(1)} | ${r.msPerQuery.toFixed(1)} |`,
  );
console.log(
  `\nsentence embeddings: ${sentences.length} distinct sentences of retrieved docs (${sentencesPerQuery.toFixed(1)} per query), ` +
    `${sentenceSecs.toFixed(1)} s (cached if ~0)\n`,
);
console.log(
  "| family | compressor | queries | token reduction (cl100k) | evidence sentences kept | gold docs kept | docs/query | ms/query |",
);
console.log("| --- | --- | --- | --- | --- | --- | --- | --- |");
const none = await evaluate("none", { name: "no compression", compress: async (d) => d }, queries);
rows.push(none);
print(none);
for (const v of variants) {
  const r = await evaluate(v.family, v.compressor, queries);
  rows.push(r);
  print(r);
}

// ---------------------------------------------------------------- LLM rows (optional, small)
if (llmQueries > 0) {
  const { startLlmServer, stopAllServices, LLM_MODEL_ID } = await import("../test/services.js");
  const server = await startLlmServer();
  try {
    const llm = createOpenAICompatibleModel({ baseURL: server.url, model: LLM_MODEL_ID, maxRetries: 0 });
    const qs = queries.filter((q) => Object.keys(q.metadata).length).slice(0, llmQueries);
    const warnings = new Map<string, number>();
    const onWarning = (w: { code: string }) => warnings.set(w.code, (warnings.get(w.code) ?? 0) + 1);
    console.log(
      `\nLLM rows: first ${qs.length} queries with evidence, SmolLM2-135M-Instruct Q4_1 (llama-cpp-python, 1 thread)`,
    );
    print(await evaluate("none", { name: "no compression", compress: async (d) => d }, qs));
    for (const c of [
      createLLMFilter({ model: llm, concurrency: 1, timeoutMs: 60_000, onWarning }),
      createLLMExtractor({ model: llm, concurrency: 1, timeoutMs: 60_000, onWarning }),
    ]) {
      warnings.clear();
      const r = await evaluate(c.name.startsWith("llm-filter") ? "LLM filter" : "LLM extractor", c, qs);
      rows.push({
        ...r,
        compressor: `${r.compressor} [warnings ${JSON.stringify(Object.fromEntries(warnings))}]`,
      });
      print(rows.at(-1)!);
    }
  } finally {
    await stopAllServices();
  }
}

mkdirSync(join(ROOT, "bench", "results"), { recursive: true });
writeFileSync(
  join(ROOT, "bench", "results", "compression.json"),
  `${JSON.stringify(
    {
      dataset: "BEIR SciFact, train split (queries.jsonl evidence, corpus_sentences.jsonl)",
      retrieval: `dense top-${TOP_K}, ${model.modelId} fp32, exact cosine (InMemoryVectorStore)`,
      tokenizer: tokenizer.name,
      queries: queries.length,
      queriesSampling: every > 1 ? `every ${every}th query` : "all",
      sentenceEmbeddings: { distinct: sentences.length, perQuery: sentencesPerQuery },
      date: new Date().toISOString(),
      rows,
    },
    null,
    2,
  )}\n`,
);
await model.dispose?.();
console.log("\nwrote bench/results/compression.json");
