/**
 * Grounded answers on BEIR SciFact (train split, the first 50 claims): retrieval + generation
 * latency, context tokens with and without contextual compression, and how many of the citation
 * markers the model writes point at a retrieved document (and, with `quotes: true`, whose quote
 * really occurs in it). The model is SmolLM2-135M-Instruct (Q4_1 GGUF) behind llama-cpp-python's
 * OpenAI-compatible server on one thread (`createOpenAICompatibleModel`; `json: { schema }` is
 * enforced there as a grammar); retrieval is BM25 (k = 3) over the 5,183 abstracts.
 *
 *   nice -n 10 pnpm tsx bench/answer.ts [--claims 50] [--k 3] [--max-tokens 96] [--only REGEX]
 *
 * Rows (one answerer each, the same claims), in two citation formats:
 * - `markers` (`[n]` in the text): `plain` (the default prompt, whole abstracts packed into 1,024
 *   tokens), `compressed` (the same after `createSentenceExtractor`, all-MiniLM-L6-v2 q8, default
 *   ratio), `quotes` (`quotes: true`, the quoting prompt);
 * - `json` (`citationFormat: "json"`, `{ answer, citations: [{ source, quote }] }` under a JSON
 *   schema whose `source` is an enum of the source numbers): `json`, `json-compressed`,
 *   `json-quotes` (quotes verified).
 * Columns: retrieve / first token / total in ms (p50 and p95 over claims), context tokens (mean, in
 * the model's tokenizer), completion tokens/s (mean), citation markers per answer, share of
 * markers that name a source, share of those whose quote occurs in the cited abstract (quotes row),
 * share of grounded answers, of answers that declined, and of claims whose gold abstract is among
 * the sources (so a wrong citation can be told from missing evidence). A 135M model invents facts;
 * these numbers measure the plumbing and the verification, not answer quality.
 */
import { parseArgs } from "node:util";
import { type Answer, type AnswererOptions, createAnswerer, quoteOccurs } from "@ragloom/answer";
import { createSentenceExtractor } from "@ragloom/compression";
import { BM25Index, createOpenAICompatibleModel, type Retriever } from "@ragloom/core";
import { LLM_MODEL_ID, startLlmServer, stopAllServices } from "../test/services.js";
import { loadMiniLM } from "./lib/embeddings.js";
import { percentile } from "./lib/metrics.js";
import { printTable, writeResults } from "./lib/report.js";
import { loadCorpus, loadQrels, loadQueries } from "./lib/scifact.js";

const { values: args } = parseArgs({
  options: {
    claims: { type: "string", default: "50" },
    k: { type: "string", default: "3" },
    "max-tokens": { type: "string", default: "96" },
    only: { type: "string" },
  },
});
const CLAIMS = Number(args.claims);
const K = Number(args.k);
const MAX_TOKENS = Number(args["max-tokens"]);
const MAX_CONTEXT = 1024;

const corpus = loadCorpus();
const qrels = loadQrels();
const claims = loadQueries()
  .filter((q) => qrels.has(q.id))
  .slice(0, CLAIMS);
const bm25 = new BM25Index();
bm25.add(corpus);
const retriever: Retriever = {
  async retrieve(query, options = {}) {
    const t0 = performance.now();
    const documents = bm25.search(query, { k: options.k ?? K });
    return { documents, timings: { lexical: performance.now() - t0 } };
  },
};

const llm = await startLlmServer();
const model = createOpenAICompatibleModel({ baseURL: llm.url, model: LLM_MODEL_ID, timeoutMs: 600_000 });
const embedder = await loadMiniLM("q8");
const compressor = createSentenceExtractor({ embedder });
const json = { citationFormat: "json" as const };
const rows: Array<{ name: string; options: Partial<AnswererOptions> }> = [
  // each markers row next to its json row, so that a partial run still compares the formats
  { name: "plain", options: {} },
  { name: "json", options: json },
  { name: "quotes", options: { quotes: true } },
  { name: "json-quotes", options: { ...json, quotes: true } },
  { name: "compressed", options: { compressor } },
  { name: "json-compressed", options: { ...json, compressor } },
].filter((r) => !args.only || new RegExp(args.only).test(r.name));
const textById = new Map(corpus.map((d) => [d.id, d.text]));

const parses = (text: string) => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};
const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : Number.NaN);
const share = (n: number, d: number) => (d ? n / d : Number.NaN);
const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;

// one warm-up answer (not a benchmark claim, so that no claim finds its prompt cached) so that
// loading and the first evaluation do not count
await createAnswerer({ retriever, model, maxTokens: 4 }).answer("Vitamin D supplements reduce fractures.");

const results: Array<Record<string, string | number>> = [];
const report = (partial: boolean) =>
  writeResults("answer", {
    dataset: "BEIR SciFact train, first claims with qrels",
    model: `${model.modelId} (SmolLM2-135M-Instruct Q4_1, llama-cpp-python server)`,
    threads: 1,
    retrieval: `BM25 k=${K}`,
    maxContextTokens: MAX_CONTEXT,
    maxTokens: MAX_TOKENS,
    ...(partial ? { partial: true } : {}),
    results,
  });

for (const row of rows) {
  const answerer = createAnswerer({
    retriever,
    model,
    k: K,
    maxContextTokens: MAX_CONTEXT,
    maxTokens: MAX_TOKENS,
    ...row.options,
  });
  const answers: Answer[] = [];
  const t0 = performance.now();
  for (const [i, claim] of claims.entries()) {
    answers.push(await answerer.answer(claim.text));
    process.stderr.write(
      `\r  ${row.name}: ${i + 1}/${claims.length} (${((performance.now() - t0) / 1000).toFixed(0)} s)`,
    );
  }
  process.stderr.write("\n");
  const t = (stage: string) =>
    answers.map((a) => a.timings[stage]).filter((v): v is number => v !== undefined);
  const citations = answers.flatMap((a) => a.citations);
  const pointing = citations.filter((c) => c.problem !== "unknown-source");
  const quoted = pointing.filter((c) => c.problem !== "quote-missing");
  // whatever the row verifies: of the citations naming a source with a quote, the share whose quote occurs in it
  const withQuote = pointing.filter((c) => c.quote && c.documentId);
  const quoteInSource = withQuote.filter((c) => quoteOccurs(c.quote!, textById.get(c.documentId!) ?? ""));
  const goldInContext = answers.filter((a, i) => a.sources.some((s) => qrels.get(claims[i]!.id)?.has(s.id)));
  results.push({
    name: row.name,
    format: row.options.citationFormat ?? "markers",
    claims: answers.length,
    retrieveP50: round(percentile(t("retrieve"), 50), 2),
    compressP50: row.options.compressor ? round(percentile(t("compress"), 50)) : "-",
    firstTokenP50: round(percentile(t("firstToken"), 50)),
    firstTokenP95: round(percentile(t("firstToken"), 95)),
    totalP50: round(percentile(t("total"), 50)),
    totalP95: round(percentile(t("total"), 95)),
    contextTokensMean: round(mean(answers.map((a) => a.usage.contextTokens))),
    promptTokensMean: round(mean(answers.map((a) => a.usage.promptTokens ?? Number.NaN))),
    completionTokensMean: round(mean(answers.map((a) => a.usage.completionTokens ?? 0))),
    tokensPerSecondMean: round(mean(answers.flatMap((a) => (a.tokensPerSecond ? [a.tokensPerSecond] : [])))),
    markers: citations.length,
    markersPerAnswer: round(share(citations.length, answers.length), 2),
    markersPointingAtSource: round(share(pointing.length, citations.length), 3),
    quotesGiven: row.options.quotes ? round(share(quoted.length, pointing.length), 3) : "-",
    quotesFound: row.options.quotes
      ? round(share(pointing.filter((c) => c.valid).length, quoted.length), 3)
      : "-",
    citationsWithQuote: withQuote.length,
    quoteOccursInSource: withQuote.length ? round(share(quoteInSource.length, withQuote.length), 3) : "-",
    validMarkers: round(share(citations.filter((c) => c.valid).length, citations.length), 3),
    unparsedJson: row.options.citationFormat
      ? round(share(answers.filter((a) => !parses(a.rawText)).length, answers.length), 3)
      : "-",
    grounded: round(share(answers.filter((a) => a.grounded).length, answers.length), 3),
    declined: round(
      share(answers.filter((a) => a.ungroundedReason === "model-declined").length, answers.length),
      3,
    ),
    goldInContext: round(share(goldInContext.length, answers.length), 3),
    finishLength: round(share(answers.filter((a) => a.finishReason === "length").length, answers.length), 3),
    // what the model wrote for the first claims, to read (a 135M model: structure, not facts)
    samples: JSON.stringify(answers.slice(0, 3).map((a) => a.rawText)),
  });
  if (results.length < rows.length) report(true);
}

printTable(
  results.map((r) => ({
    row: r.name ?? "-",
    format: r.format ?? "-",
    "retrieve ms": r.retrieveP50 ?? "-",
    "TTFT p50/p95 ms": `${r.firstTokenP50} / ${r.firstTokenP95}`,
    "total p50/p95 ms": `${r.totalP50} / ${r.totalP95}`,
    "context tok": r.contextTokensMean ?? "-",
    "tok/s": r.tokensPerSecondMean ?? "-",
    "cites/ans": r.markersPerAnswer ?? "-",
    "→ source": r.markersPointingAtSource ?? "-",
    "quote in source": r.quoteOccursInSource ?? "-",
    grounded: r.grounded ?? "-",
    declined: r.declined ?? "-",
    "gold in ctx": r.goldInContext ?? "-",
  })),
);
const file = report(false);
console.log(`\nwrote ${file}`);
await embedder.dispose?.();
await stopAllServices();
