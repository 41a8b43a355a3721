/**
 * Contextual compression on BEIR SciFact (train split, the claims with evidence labels): for the
 * top-5 documents retrieved densely (all-MiniLM-L6-v2, fp32) for each claim, how many words (and
 * cl100k_base tokens) each compressor removes and how many of the gold evidence sentences (of the
 * gold documents that were retrieved) survive, on a tuning part (70% of the claims) and on a
 * held-out part (30%, fixed by seed, never used to choose anything).
 *
 *   pnpm tsx bench/compression.ts [--docs N] [--only REGEX] [--llm N]
 *
 * --docs N     documents per claim (default 5)
 * --only REGEX run only the rows whose compressor name matches
 * --llm N      also run the LLM filter and extractor (SmolLM2-135M on the local llama.cpp server)
 *              on the first N held-out claims with evidence (default 0: skipped)
 *
 * Sentence vectors are computed once, as at ingest (`withSentenceEmbeddings`), and cached in
 * $RAGLOOM_CACHE/bench; the compressors then run on that embedder, and the benchmark counts the
 * model calls they make (0 expected) and times each `compress` call (p50/p95 ms per call).
 * The default ratio of `createSentenceExtractor` comes from the curve printed first: the smallest
 * ratio whose evidence kept on the tuning claims is at least `TARGET_EVIDENCE`.
 * Evidence: a gold sentence (corpus_sentences.jsonl, indices from queries.jsonl `metadata`) survives
 * when its text, whitespace-normalised, is contained in the compressed text of its document.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import {
  createEmbeddingsFilter,
  createLLMExtractor,
  createLLMFilter,
  createSentenceExtractor,
  createTokenBudget,
  DEFAULT_SENTENCE_RATIO,
  type DocumentCompressor,
  intlSentenceSplitter,
  loadTiktokenTokenizer,
  withSentenceEmbeddings,
  wordTokenizer,
} from "@ragloom/compression";
import {
  createOpenAICompatibleModel,
  type Embedder,
  InMemoryVectorStore,
  type VectorHit,
} from "@ragloom/core";
import { embedCached, loadMiniLM } from "./lib/embeddings.js";
import { percentile } from "./lib/metrics.js";
import { writeResults } from "./lib/report.js";
import { SCIFACT_DIR } from "./lib/scifact.js";
import { holdoutSplit } from "./lib/split.js";

const { values: args } = parseArgs({
  options: {
    docs: { type: "string", default: "5" },
    only: { type: "string" },
    llm: { type: "string", default: "0" },
  },
});
const TOP = Number(args.docs);
/** Seed of the tuning/held-out split of the claims. */
const HOLDOUT_SEED = 20261201;
/** Evidence kept on the tuning claims that the default ratio must reach (the goal is 95%, plus one point of margin). */
const TARGET_EVIDENCE = 0.96;

const jsonl = <T>(file: string): T[] =>
  readFileSync(join(SCIFACT_DIR, file), "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as T);
const progress = (tag: string, t0: number) => (done: number, total: number) =>
  process.stderr.write(
    `\r  embedding ${tag}: ${done}/${total} (${((performance.now() - t0) / 1000).toFixed(0)} s)`,
  );

// ---------------------------------------------------------------- data
interface Query {
  _id: string;
  text: string;
  metadata: Record<string, Array<{ sentences: number[]; label: string }>>;
}
const corpus = jsonl<{ _id: string; title: string; sentences: string[] }>("corpus_sentences.jsonl");
const byId = new Map(corpus.map((d) => [d._id, d]));
const docText = (d: { title: string; sentences: string[] }) => `${d.title} ${d.sentences.join(" ")}`;
const queries = jsonl<Query>("queries.jsonl");
const { tune, heldOut } = holdoutSplit(
  queries.map((q) => q._id),
  0.3,
  HOLDOUT_SEED,
);
const norm = (s: string) => s.replace(/\s+/g, " ").trim();

// ---------------------------------------------------------------- retrieval (vectors cached)
const model = await loadMiniLM("fp32");
let t0 = performance.now();
const corpusVectors = await embedCached(model, corpus.map(docText), "fp32", progress("corpus", t0));
const queryVectors = await embedCached(
  model,
  queries.map((q) => q.text),
  "fp32-queries",
);
process.stderr.write("\n");
const store = new InMemoryVectorStore({ dimensions: model.dimensions, initialCapacity: corpus.length });
await store.upsert(
  corpus.map((d, i) => ({ id: d._id, text: docText(d), metadata: {}, vector: corpusVectors[i]! })),
);
const retrieved = new Map<string, VectorHit[]>();
for (const [i, q] of queries.entries()) {
  retrieved.set(q._id, await store.query(queryVectors[i]!, { k: TOP, includeVectors: true }));
}

// ---------------------------------------------------------------- ingest-time sentence vectors
const split = intlSentenceSplitter("en");
const docIds = [...new Set([...retrieved.values()].flatMap((hits) => hits.map((h) => h.id)))].sort();
const sentencesOf = new Map(docIds.map((id) => [id, split(docText(byId.get(id)!))]));
const sentences = [...new Set([...sentencesOf.values()].flat())];
t0 = performance.now();
const sentenceVectors = await embedCached(
  model,
  sentences,
  `fp32-intl-sentences-top${TOP}`,
  progress("sentences", t0),
);
process.stderr.write("\n");

/** The real model, counting the texts it is asked to embed. */
const calls = { documents: 0, queries: 0 };
const counting: Embedder = {
  modelId: model.modelId,
  dimensions: model.dimensions,
  normalized: model.normalized,
  embedDocuments: (texts, o) => {
    calls.documents += texts.length;
    return model.embedDocuments(texts, o);
  },
  embedQuery: (text, o) => {
    calls.queries++;
    return model.embedQuery(text, o);
  },
};
// What `retriever.add` through this embedder leaves in its cache: chunk and sentence vectors; and
// what `retrieve` leaves: the query vector. Filled from the vectors computed above.
const embedder = withSentenceEmbeddings(counting);
const { cache } = embedder;
await cache.setMany([
  ...corpus.map(
    (d, i) => [cache.key(model.modelId, "document", docText(d)), corpusVectors[i]!] as [string, Float32Array],
  ),
  ...sentences.map(
    (s, i) => [cache.key(model.modelId, "document", s), sentenceVectors[i]!] as [string, Float32Array],
  ),
  ...queries.map(
    (q, i) => [cache.key(model.modelId, "query", q.text), queryVectors[i]!] as [string, Float32Array],
  ),
]);

// ---------------------------------------------------------------- evaluation
const cl100k = await loadTiktokenTokenizer("cl100k_base");
const tokenMemo = new Map<string, number>();
const tokens = (text: string) => {
  let n = tokenMemo.get(text);
  if (n === undefined) {
    n = cl100k.count(text);
    tokenMemo.set(text, n);
  }
  return n;
};
const words = (text: string) => wordTokenizer.count(text);

interface Row {
  compressor: string;
  split: "tune" | "held-out";
  claims: number;
  /** 1 - Σ words after / Σ words before. */
  wordReduction: number;
  tokenReduction: number;
  evidenceTotal: number;
  evidenceKept: number;
  /** Share of the gold evidence sentences of retrieved gold documents that survive. */
  evidenceRecall: number;
  /** Share of retrieved gold documents still present after compression. */
  goldDocsKept: number;
  p50Ms: number;
  p95Ms: number;
  /** Texts the compressor had the model embed (0 when everything came from the ingest-time cache). */
  modelCalls: number;
}

async function evaluate(c: DocumentCompressor, part: "tune" | "held-out", qs: Query[]): Promise<Row> {
  let wb = 0;
  let wa = 0;
  let tb = 0;
  let ta = 0;
  let evTotal = 0;
  let evKept = 0;
  let goldDocs = 0;
  let goldKept = 0;
  const ms: number[] = [];
  const before = calls.documents + calls.queries;
  for (const q of qs) {
    const docs = retrieved.get(q._id)!;
    const start = performance.now();
    const out = await c.compress(docs, q.text);
    ms.push(performance.now() - start);
    for (const d of docs) {
      wb += words(d.text);
      tb += tokens(d.text);
    }
    for (const d of out) {
      wa += words(d.text);
      ta += tokens(d.text);
    }
    const kept = new Map(out.map((d) => [d.id, norm(d.text)]));
    for (const [docId, evidence] of Object.entries(q.metadata)) {
      if (!docs.some((d) => d.id === docId)) continue;
      goldDocs++;
      const text = kept.get(docId);
      if (text !== undefined) goldKept++;
      for (const i of new Set(evidence.flatMap((e) => e.sentences))) {
        evTotal++;
        if (text?.includes(norm(byId.get(docId)!.sentences[i]!))) evKept++;
      }
    }
  }
  return {
    compressor: c.name,
    split: part,
    claims: qs.length,
    wordReduction: 1 - wa / wb,
    tokenReduction: 1 - ta / tb,
    evidenceTotal: evTotal,
    evidenceKept: evKept,
    evidenceRecall: evKept / evTotal,
    goldDocsKept: goldKept / goldDocs,
    p50Ms: percentile(ms, 50),
    p95Ms: percentile(ms, 95),
    modelCalls: calls.documents + calls.queries - before,
  };
}

const tuneQs = queries.filter((q) => tune.has(q._id));
const heldQs = queries.filter((q) => heldOut.has(q._id));
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
console.log(
  `SciFact train: ${corpus.length} docs, ${queries.length} claims (${tuneQs.length} tuning, ${heldQs.length} held out, seed ${HOLDOUT_SEED}), top ${TOP} dense per claim, ${sentences.length} distinct sentences`,
);

// ---------------------------------------------------------------- the curve behind the default ratio
const quiet = () => {};
const curve: Array<{ ratio: number; tune: Row; heldOut: Row }> = [];
console.log("\nDefault extractor by ratio (words cut / evidence kept):\n");
console.log("| ratio | tuning | held-out |\n| --- | --- | --- |");
for (let r = 20; r <= 60; r += 2) {
  const ratio = r / 100;
  const c = createSentenceExtractor({ embedder, select: { by: "ratio", ratio }, onWarning: quiet });
  const point = {
    ratio,
    tune: await evaluate(c, "tune", tuneQs),
    heldOut: await evaluate(c, "held-out", heldQs),
  };
  curve.push(point);
  console.log(
    `| ${ratio.toFixed(2)} | ${pct(point.tune.wordReduction)} / ${pct(point.tune.evidenceRecall)} | ${pct(point.heldOut.wordReduction)} / ${pct(point.heldOut.evidenceRecall)} |`,
  );
}
const chosen = curve.find((p) => p.tune.evidenceRecall >= TARGET_EVIDENCE);
console.log(
  `\nsmallest ratio with >= ${pct(TARGET_EVIDENCE)} of the tuning evidence: ${chosen?.ratio ?? "none"}; ` +
    `DEFAULT_SENTENCE_RATIO in the library: ${DEFAULT_SENTENCE_RATIO}` +
    (chosen && Math.abs(chosen.ratio - DEFAULT_SENTENCE_RATIO) > 1e-9
      ? "  <-- differs: update the default"
      : ""),
);

// ---------------------------------------------------------------- rows
const variants: DocumentCompressor[] = [
  { name: "no compression", compress: async (d) => d },
  createSentenceExtractor({ embedder, onWarning: quiet }),
  createSentenceExtractor({ embedder, contextWeight: 0, onWarning: quiet }),
  createSentenceExtractor({ embedder, scoring: "sentence", onWarning: quiet }),
  createSentenceExtractor({
    embedder,
    select: { by: "ratio", ratio: DEFAULT_SENTENCE_RATIO, tokenizer: cl100k },
    onWarning: quiet,
  }),
  // the settings documented before: per document, sentence scores only (the former defaults) ...
  createSentenceExtractor({
    embedder,
    select: { by: "ratio", ratio: 0.5, tokenizer: cl100k },
    scope: "document",
    scoring: "sentence",
    contextWeight: 0,
    onWarning: quiet,
  }),
  // ... and the best former setting, at ratio 0.5 and 0.4
  createSentenceExtractor({
    embedder,
    select: { by: "ratio", ratio: 0.5, tokenizer: cl100k },
    scoring: "sentence+document",
    documentWeight: 4,
    contextWeight: 0,
    onWarning: quiet,
  }),
  createSentenceExtractor({
    embedder,
    select: { by: "ratio", ratio: 0.4, tokenizer: cl100k },
    scoring: "sentence+document",
    documentWeight: 4,
    contextWeight: 0,
    onWarning: quiet,
  }),
  createSentenceExtractor({ embedder, neighbors: 1, contextWeight: 0, onWarning: quiet }),
  createEmbeddingsFilter({ embedder, ratio: 0.6 }),
  createEmbeddingsFilter({ embedder, k: 3 }),
  createTokenBudget({ maxTokens: 400, tokenizer: wordTokenizer, embedder, onWarning: quiet }),
];
const only = args.only ? new RegExp(args.only) : null;
const rows: Row[] = [];
console.log(
  "\n| compressor | split | words cut | cl100k tokens cut | evidence kept | gold docs kept | p50 ms | p95 ms | model calls |",
);
console.log("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
const print = (r: Row) =>
  console.log(
    `| ${r.compressor} | ${r.split} | ${pct(r.wordReduction)} | ${pct(r.tokenReduction)} | ${pct(r.evidenceRecall)} (${r.evidenceKept}/${r.evidenceTotal}) | ${pct(r.goldDocsKept)} | ${r.p50Ms.toFixed(2)} | ${r.p95Ms.toFixed(2)} | ${r.modelCalls} |`,
  );
for (const c of variants) {
  if (only && !only.test(c.name)) continue;
  for (const [part, qs] of [
    ["tune", tuneQs],
    ["held-out", heldQs],
  ] as const) {
    const r = await evaluate(c, part, qs);
    rows.push(r);
    print(r);
  }
}

// ---------------------------------------------------------------- LLM rows (optional, small)
const llmClaims = Number(args.llm);
if (llmClaims > 0) {
  const { startLlmServer, stopAllServices, LLM_MODEL_ID } = await import("../test/services.js");
  const server = await startLlmServer();
  try {
    const llm = createOpenAICompatibleModel({ baseURL: server.url, model: LLM_MODEL_ID, maxRetries: 0 });
    const qs = heldQs.filter((q) => Object.keys(q.metadata).length).slice(0, llmClaims);
    console.log(`\nLLM rows: first ${qs.length} held-out claims with evidence, SmolLM2-135M-Instruct`);
    for (const c of [
      createLLMFilter({ model: llm, concurrency: 1, timeoutMs: 60_000, onWarning: quiet }),
      createLLMExtractor({ model: llm, concurrency: 1, timeoutMs: 60_000, onWarning: quiet }),
    ]) {
      const r = await evaluate(c, "held-out", qs);
      rows.push(r);
      print(r);
    }
  } finally {
    await stopAllServices();
  }
}

const file = writeResults("compression", {
  dataset: "BEIR SciFact, train split (queries.jsonl evidence, corpus_sentences.jsonl)",
  split: { seed: HOLDOUT_SEED, heldOutFraction: 0.3, tune: tuneQs.length, heldOut: heldQs.length },
  retrieval: `dense top-${TOP}, ${model.modelId} fp32, exact cosine (InMemoryVectorStore)`,
  units: "words (wordTokenizer) and tiktoken cl100k_base tokens, summed over the texts handed to the LLM",
  sentenceVectors: "computed once as at ingest (withSentenceEmbeddings), cache hits at compression time",
  defaultRatio: {
    library: DEFAULT_SENTENCE_RATIO,
    chosenFromCurve: chosen?.ratio ?? null,
    targetEvidence: TARGET_EVIDENCE,
  },
  curve: curve.map((p) => ({
    ratio: p.ratio,
    tune: { wordReduction: p.tune.wordReduction, evidenceRecall: p.tune.evidenceRecall },
    heldOut: { wordReduction: p.heldOut.wordReduction, evidenceRecall: p.heldOut.evidenceRecall },
  })),
  date: new Date().toISOString(),
  rows,
});
console.log(`\nwrote ${file}`);
await model.dispose?.();
