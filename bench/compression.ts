/**
 * Contextual compression on BEIR SciFact (train split, the claims with evidence labels): for the
 * top 5 and the top 10 documents retrieved densely (all-MiniLM-L6-v2, fp32) for each claim, how
 * many words (and cl100k_base tokens) each compressor removes and how many of the gold evidence
 * sentences (of the gold documents that were retrieved) survive, on a tuning part (70% of the
 * claims) and on a held-out part (30%, fixed by seed, never used to choose anything).
 *
 *   pnpm tsx bench/compression.ts [--only REGEX] [--llm N]
 *
 * --only REGEX run only the rows whose compressor name matches
 * --llm N      also run the LLM filter and extractor (SmolLM2-135M on the local llama.cpp server)
 *              on the first N held-out claims with evidence (default 0: skipped)
 *
 * Sentence vectors are computed once, as at ingest (`withSentenceEmbeddings`), and cached in
 * $RAGLOOM_CACHE/bench; the compressors then run on that embedder, and the benchmark counts the
 * model calls they make (0 expected) and times each `compress` call (p50/p95 ms per call).
 * The defaults of `createSentenceExtractor` come from the curves printed first, on the tuning
 * claims only: DEFAULT_MARGIN is the smallest margin of the default (hybrid) scoring whose evidence
 * kept is at least `TARGET_EVIDENCE` with 5 and with 10 documents per claim; DEFAULT_DOCUMENT_WEIGHT
 * is the weight whose such margin cuts the most words with 5 documents. The bestSentenceWeight
 * sweep is printed the same way; the library keeps 0, as the share that won on tuning (0.5) kept
 * less than 95% of the held-out evidence at its margin. DEFAULT_COSINE_MARGIN
 * is the same smallest margin for `scoring: "sentence+document"`. A curve for fixed ratios follows.
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
  DEFAULT_BEST_SENTENCE_WEIGHT,
  DEFAULT_COSINE_MARGIN,
  DEFAULT_DOCUMENT_WEIGHT,
  DEFAULT_MARGIN,
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
import {
  type EvalContext,
  type EvidenceQuery,
  evaluate as evaluateOn,
  type Row,
} from "./lib/compression-eval.js";
import { embedCached, loadMiniLM } from "./lib/embeddings.js";
import { writeResults } from "./lib/report.js";
import { SCIFACT_DIR } from "./lib/scifact.js";
import { holdoutSplit } from "./lib/split.js";

const { values: args } = parseArgs({
  options: {
    only: { type: "string" },
    llm: { type: "string", default: "0" },
  },
});
/** Documents retrieved per claim; every row is measured on the first 5 and on all 10. */
const TOP = 10;
const DEPTHS = [5, 10] as const;
/** Seed of the tuning/held-out split of the claims. */
const HOLDOUT_SEED = 20261201;
/** Evidence kept on the tuning claims that the default ratio must reach. */
const TARGET_EVIDENCE = 0.95;

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
type Query = EvidenceQuery;
const corpus = jsonl<{ _id: string; title: string; sentences: string[] }>("corpus_sentences.jsonl");
const byId = new Map(corpus.map((d) => [d._id, d]));
const docText = (d: { title: string; sentences: string[] }) => `${d.title} ${d.sentences.join(" ")}`;
const queries = jsonl<Query>("queries.jsonl");
const { tune, heldOut } = holdoutSplit(
  queries.map((q) => q._id),
  0.3,
  HOLDOUT_SEED,
);

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
/** Distinct sentences of the documents retrieved in the first `top` places, in a fixed order. */
const sentenceList = (top: number) => {
  const ids = [
    ...new Set([...retrieved.values()].flatMap((hits) => hits.slice(0, top).map((h) => h.id))),
  ].sort();
  return [...new Set(ids.flatMap((id) => split(docText(byId.get(id)!))))];
};
// The top-5 sentences are embedded (and cached) as one list, deeper ones as a second list.
t0 = performance.now();
const sentences = sentenceList(5);
const sentenceVectors = await embedCached(
  model,
  sentences,
  "fp32-intl-sentences-top5",
  progress("sentences", t0),
);
if (TOP > 5) {
  const have = new Set(sentences);
  const extra = sentenceList(TOP).filter((s) => !have.has(s));
  const extraVectors = await embedCached(
    model,
    extra,
    `fp32-intl-sentences-top${TOP}-extra`,
    progress("sentences", t0),
  );
  sentences.push(...extra);
  sentenceVectors.push(...extraVectors);
}
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

const ctx: EvalContext = {
  retrieved,
  goldSentence: (id, i) => byId.get(id)!.sentences[i]!,
  tokens,
  modelCalls: () => calls.documents + calls.queries,
};
const evaluate = (c: DocumentCompressor, part: "tune" | "held-out", qs: Query[], depth: number) =>
  evaluateOn(ctx, c, part, qs, depth);

const tuneQs = queries.filter((q) => tune.has(q._id));
const heldQs = queries.filter((q) => heldOut.has(q._id));
const parts = [
  ["tune", tuneQs],
  ["held-out", heldQs],
] as const;
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const quiet = () => {};
console.log(
  `SciFact train: ${corpus.length} docs, ${queries.length} claims (${tuneQs.length} tuning, ${heldQs.length} held out, seed ${HOLDOUT_SEED}), top ${TOP} dense per claim, ${sentences.length} distinct sentences`,
);

// ---------------------------------------------------------------- the curves behind the defaults
interface Point {
  value: number;
  rows: Row[];
}
async function sweep(values: number[], make: (v: number) => DocumentCompressor): Promise<Point[]> {
  const points: Point[] = [];
  for (const value of values) {
    const c = make(value);
    const rows: Row[] = [];
    for (const depth of DEPTHS) for (const [part, qs] of parts) rows.push(await evaluate(c, part, qs, depth));
    points.push({ value, rows });
    console.log(
      `| ${value.toFixed(2)} | ${rows.map((r) => `${pct(r.wordReduction)} / ${pct(r.evidenceRecall)}`).join(" | ")} |`,
    );
  }
  return points;
}
const header = (what: string) =>
  console.log(
    `\n| ${what} | 5 docs, tuning | 5 docs, held-out | 10 docs, tuning | 10 docs, held-out |\n| --- | --- | --- | --- | --- |`,
  );
/** The first point (ascending values) keeping >= TARGET_EVIDENCE of the tuning evidence at every depth. */
const smallestKeeping = (points: Point[]) =>
  points.find((p) => p.rows.every((r) => r.split !== "tune" || r.evidenceRecall >= TARGET_EVIDENCE));
const differs = (chosen: number | undefined, library: number) =>
  chosen !== undefined && Math.abs(chosen - library) > 1e-9 ? "  <-- differs: update the default" : "";
const range = (from: number, to: number, step: number) =>
  Array.from(
    { length: Math.round((to - from) / step) + 1 },
    (_, i) => Math.round(100 * (from + step * i)) / 100,
  );
const hybridAt = (documentWeight: number, bestSentenceWeight: number, margin: number) =>
  createSentenceExtractor({
    embedder,
    documentWeight,
    bestSentenceWeight,
    select: { by: "margin", margin },
    onWarning: quiet,
  });

console.log(
  `\nDefault extractor (hybrid scoring, documentWeight ${DEFAULT_DOCUMENT_WEIGHT}, bestSentenceWeight ${DEFAULT_BEST_SENTENCE_WEIGHT}) by margin in standard deviations (words cut / evidence kept):`,
);
header("margin");
const marginCurve = await sweep(range(3, 7, 0.25), (margin) =>
  hybridAt(DEFAULT_DOCUMENT_WEIGHT, DEFAULT_BEST_SENTENCE_WEIGHT, margin),
);
const chosen = smallestKeeping(marginCurve);
console.log(
  `\nsmallest margin keeping >= ${pct(TARGET_EVIDENCE)} of the tuning evidence at 5 and 10 docs: ${chosen?.value.toFixed(2) ?? "none"}; ` +
    `DEFAULT_MARGIN in the library: ${DEFAULT_MARGIN}${differs(chosen?.value, DEFAULT_MARGIN)}`,
);

// documentWeight and bestSentenceWeight, one at a time with the other at its default: for each
// value, the smallest margin (0.25 steps) keeping the target on the tuning claims at 5 and 10 docs,
// found by bisection (evidence kept grows with the margin), and the words it cuts there; the value
// cutting most with 5 docs is the default. Held-out numbers are printed next to it, not used.
const MARGINS = range(1, 10, 0.25);
const tuneOnly = async (c: DocumentCompressor) => {
  const rows: Row[] = [];
  for (const depth of DEPTHS) rows.push(await evaluate(c, "tune", tuneQs, depth));
  return rows;
};
interface WeightPoint {
  value: number;
  margin: number | null;
  rows: Row[];
}
async function weightSweep(
  what: string,
  values: number[],
  make: (value: number, margin: number) => DocumentCompressor,
): Promise<WeightPoint[]> {
  console.log(
    `\n${what} of hybrid scoring: smallest margin keeping >= ${pct(TARGET_EVIDENCE)} of the tuning evidence at 5 and 10 docs, words cut / evidence kept there:`,
  );
  header(`${what} (margin)`);
  const out: WeightPoint[] = [];
  for (const value of values) {
    const ok = new Map<number, boolean>();
    const passes = async (i: number) => {
      let v = ok.get(i);
      if (v === undefined) {
        v = (await tuneOnly(make(value, MARGINS[i]!))).every((r) => r.evidenceRecall >= TARGET_EVIDENCE);
        ok.set(i, v);
      }
      return v;
    };
    let lo = 0;
    let hi = MARGINS.length - 1;
    if (!(await passes(hi))) {
      out.push({ value, margin: null, rows: [] });
      console.log(`| ${value} (none) | | | | |`);
      continue;
    }
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (await passes(mid)) hi = mid;
      else lo = mid + 1;
    }
    const margin = MARGINS[lo]!;
    const c = make(value, margin);
    const rows: Row[] = [];
    for (const depth of DEPTHS) for (const [part, qs] of parts) rows.push(await evaluate(c, part, qs, depth));
    out.push({ value, margin, rows });
    console.log(
      `| ${value} (${margin.toFixed(2)}) | ${rows.map((r) => `${pct(r.wordReduction)} / ${pct(r.evidenceRecall)}`).join(" | ")} |`,
    );
  }
  return out;
}
const cut5 = (w: WeightPoint) => w.rows.find((r) => r.docs === 5 && r.split === "tune")?.wordReduction ?? -1;
const best = (points: WeightPoint[]) => points.reduce((a, b) => (cut5(b) > cut5(a) ? b : a)).value;
const weightCurve = await weightSweep("documentWeight", [1, 2, 3, 4, 5], (w, margin) =>
  hybridAt(w, DEFAULT_BEST_SENTENCE_WEIGHT, margin),
);
const bestWeight = best(weightCurve);
console.log(
  `\ndocumentWeight cutting the most tuning words at 5 docs: ${bestWeight}; ` +
    `DEFAULT_DOCUMENT_WEIGHT in the library: ${DEFAULT_DOCUMENT_WEIGHT}${differs(bestWeight, DEFAULT_DOCUMENT_WEIGHT)}`,
);
const bestSentenceCurve = await weightSweep("bestSentenceWeight", [0, 0.25, 0.5, 0.75, 1], (w, margin) =>
  hybridAt(DEFAULT_DOCUMENT_WEIGHT, w, margin),
);
const bestSentence = best(bestSentenceCurve);
console.log(
  `\nbestSentenceWeight cutting the most tuning words at 5 docs: ${bestSentence}; ` +
    `DEFAULT_BEST_SENTENCE_WEIGHT in the library: ${DEFAULT_BEST_SENTENCE_WEIGHT}` +
    (bestSentence === DEFAULT_BEST_SENTENCE_WEIGHT
      ? ""
      : " (the library keeps 0: the tuning gain of 0.5 lost evidence on the held-out claims; see the held-out rows)"),
);

console.log('\nThe former default scoring, scoring: "sentence+document", by margin (cosine units):');
header("margin");
const cosineCurve = await sweep(range(0.6, 1, 0.05), (margin) =>
  createSentenceExtractor({
    embedder,
    scoring: "sentence+document",
    select: { by: "margin", margin },
    onWarning: quiet,
  }),
);
const chosenCosine = smallestKeeping(cosineCurve);
console.log(
  `\nsmallest margin keeping >= ${pct(TARGET_EVIDENCE)} of the tuning evidence at 5 and 10 docs: ${chosenCosine?.value.toFixed(2) ?? "none"}; ` +
    `DEFAULT_COSINE_MARGIN in the library: ${DEFAULT_COSINE_MARGIN}${differs(chosenCosine?.value, DEFAULT_COSINE_MARGIN)}`,
);
console.log('\nThe default scoring with a fixed share of the words (select: { by: "ratio", ratio }):');
header("ratio");
const ratioCurve = await sweep(range(0.3, 0.6, 0.05), (ratio) =>
  createSentenceExtractor({ embedder, select: { by: "ratio", ratio }, onWarning: quiet }),
);

// ---------------------------------------------------------------- rows
const ratio40 = { by: "ratio", ratio: 0.4 } as const;
const variants: DocumentCompressor[] = [
  { name: "no compression", compress: async (d) => d },
  // the defaults, then one change at a time
  createSentenceExtractor({ embedder, onWarning: quiet }),
  createSentenceExtractor({ embedder, bestSentenceWeight: 0, onWarning: quiet }),
  createSentenceExtractor({ embedder, sentenceLexicalWeight: 0, lexicalWeight: 0, onWarning: quiet }),
  createSentenceExtractor({ embedder, contextWeight: 0.5, onWarning: quiet }),
  createSentenceExtractor({ embedder, neighbors: 1, onWarning: quiet }),
  // the former default (cosine + document relevance in [0, 1], margin 0.8), and its variants
  createSentenceExtractor({ embedder, scoring: "sentence+document", onWarning: quiet }),
  createSentenceExtractor({ embedder, scoring: "sentence+document", lexicalWeight: 0, onWarning: quiet }),
  createSentenceExtractor({ embedder, scoring: "sentence", onWarning: quiet }),
  // a fixed share of the words instead, counted in words or in cl100k tokens, and without BM25
  createSentenceExtractor({ embedder, select: ratio40, onWarning: quiet }),
  createSentenceExtractor({ embedder, select: { ...ratio40, tokenizer: cl100k }, onWarning: quiet }),
  createSentenceExtractor({ embedder, select: ratio40, scoring: "sentence+document", onWarning: quiet }),
  // the former defaults (per document, sentence similarity only) at ratio 0.4
  createSentenceExtractor({
    embedder,
    select: ratio40,
    scope: "document",
    scoring: "sentence",
    onWarning: quiet,
  }),
  createEmbeddingsFilter({ embedder, ratio: 0.4 }),
  createTokenBudget({ maxTokens: 400, tokenizer: wordTokenizer, embedder, onWarning: quiet }),
];
const only = args.only ? new RegExp(args.only) : null;
const rows: Row[] = [];
console.log(
  "\n| compressor | docs | split | words cut | cl100k tokens cut | evidence kept | gold docs kept | p50 ms | p95 ms | model calls |",
);
console.log("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
const print = (r: Row) =>
  console.log(
    `| ${r.compressor} | ${r.docs} | ${r.split} | ${pct(r.wordReduction)} | ${pct(r.tokenReduction)} | ${pct(r.evidenceRecall)} (${r.evidenceKept}/${r.evidenceTotal}) | ${pct(r.goldDocsKept)} | ${r.p50Ms.toFixed(2)} | ${r.p95Ms.toFixed(2)} | ${r.modelCalls} |`,
  );
for (const c of variants) {
  if (only && !only.test(c.name)) continue;
  for (const depth of DEPTHS) {
    for (const [part, qs] of parts) {
      const r = await evaluate(c, part, qs, depth);
      rows.push(r);
      print(r);
    }
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
    console.log(
      `\nLLM rows: first ${qs.length} held-out claims with evidence, SmolLM2-135M-Instruct, 5 docs`,
    );
    for (const c of [
      createLLMFilter({ model: llm, concurrency: 1, timeoutMs: 60_000, onWarning: quiet }),
      createLLMExtractor({ model: llm, concurrency: 1, timeoutMs: 60_000, onWarning: quiet }),
    ]) {
      const r = await evaluate(c, "held-out", qs, 5);
      rows.push(r);
      print(r);
    }
  } finally {
    await stopAllServices();
  }
}

const curveJson = (name: string, points: Point[]) =>
  points.map((p) => ({
    [name]: p.value,
    points: p.rows.map((r) => ({
      docs: r.docs,
      split: r.split,
      wordReduction: r.wordReduction,
      evidenceRecall: r.evidenceRecall,
    })),
  }));
const weightJson = (name: string, points: WeightPoint[]) =>
  points.map((w) => ({
    [name]: w.value,
    margin: w.margin,
    points: w.rows.map((r) => ({
      docs: r.docs,
      split: r.split,
      wordReduction: r.wordReduction,
      evidenceRecall: r.evidenceRecall,
    })),
  }));
const file = writeResults("compression", {
  dataset: "BEIR SciFact, train split (queries.jsonl evidence, corpus_sentences.jsonl)",
  split: { seed: HOLDOUT_SEED, heldOutFraction: 0.3, tune: tuneQs.length, heldOut: heldQs.length },
  retrieval: `dense top-5 and top-10, ${model.modelId}, exact cosine (InMemoryVectorStore)`,
  units: "words (wordTokenizer) and tiktoken cl100k_base tokens, summed over the texts handed to the LLM",
  sentenceVectors: "computed once as at ingest (withSentenceEmbeddings), cache hits at compression time",
  defaults: {
    targetEvidence: TARGET_EVIDENCE,
    margin: { library: DEFAULT_MARGIN, chosenFromCurve: chosen?.value ?? null },
    documentWeight: { library: DEFAULT_DOCUMENT_WEIGHT, chosenFromCurve: bestWeight },
    bestSentenceWeight: { library: DEFAULT_BEST_SENTENCE_WEIGHT, chosenFromCurve: bestSentence },
    cosineMargin: { library: DEFAULT_COSINE_MARGIN, chosenFromCurve: chosenCosine?.value ?? null },
  },
  curves: {
    margin: curveJson("margin", marginCurve),
    documentWeight: weightJson("documentWeight", weightCurve),
    bestSentenceWeight: weightJson("bestSentenceWeight", bestSentenceCurve),
    cosineMargin: curveJson("margin", cosineCurve),
    ratio: curveJson("ratio", ratioCurve),
  },
  date: new Date().toISOString(),
  rows,
});
console.log(`\nwrote ${file}`);
await model.dispose?.();
