/**
 * ask-the-docs: index the Markdown documentation of the packages installed in this workspace's
 * node_modules, then answer questions with hybrid (BM25 + MiniLM) retrieval.
 *
 *   pnpm example "how do I retry with exponential backoff?"
 *   pnpm example --chroma http://127.0.0.1:8000 "what is a circuit breaker?"
 *   pnpm example --mode dense -k 3 --package vitest "how do I mock a module?"
 *   pnpm example --answer "How do I retry a failed request with exponential backoff?"
 *   pnpm example --answer --llm-url http://localhost:11434/v1 --llm-model llama3.2 "what is a circuit breaker?"
 *   pnpm example --help
 *
 * Each store keeps its own manifest under .ragloom/ask-the-docs/ (see state.ts), so a second run
 * against the same store skips indexing.
 */
import { createInterface } from "node:readline/promises";
import { F } from "@ragloom/core";
import { loadModel, streamAnswer } from "./answer.js";
import { type AskOptions, EXIT, parseCli } from "./cli.js";
import { bestDenseSimilarity, noGoodMatchLine } from "./no-match.js";
import { openIndex, UsageError } from "./open-index.js";

/** Quickstart question, asked when none is given and stdin is not a terminal. */
const DEFAULT_QUESTION = "How do I retry a failed request with exponential backoff?";

async function main(opts: AskOptions) {
  const { embedder, retriever } = await openIndex(opts);
  const llm = opts.answer
    ? await loadModel({ url: opts.llmUrl, model: opts.llmModel, file: opts.llmFile })
    : undefined;
  const filter = opts.package ? F.eq("package", opts.package) : undefined;
  const mode = opts.mode;
  const ask = async (question: string) => {
    if (llm) {
      const inMode = { retrieve: (q: string, o = {}) => retriever.retrieve(q, { ...o, mode }) };
      await streamAnswer(inMode, llm.model, question, { k: opts.k, filter });
      return;
    }
    const { documents, timings } = await retriever.retrieve(question, { mode, filter });
    // fused and BM25 scores carry no absolute meaning: judge the match on the raw dense cosine
    const best =
      mode === "dense" ? documents[0]?.score : await bestDenseSimilarity(retriever, question, filter);
    console.log(`\nQ: ${question}`);
    const noMatch = noGoodMatchLine(best, opts.minSimilarity);
    if (noMatch) console.log(noMatch);
    documents.forEach((d, i) => {
      const m = d.metadata;
      const snippet = d.text.replace(/\s+/g, " ").slice(0, 220);
      console.log(`\n${i + 1}. [${d.score.toFixed(4)}] ${m.package}@${m.version} ${m.path} (${m.license})`);
      console.log(`   ${m.title}`);
      console.log(`   ${snippet}${d.text.length > 220 ? "…" : ""}`);
    });
    // Stages run concurrently in hybrid mode, so they are printed in a fixed order, not as they finished.
    const stages = ["embed", "search", "lexical", "fuse", "rerank", "total"] as const;
    const t = stages
      .filter((s) => timings[s] !== undefined)
      .map((s) => `${s} ${timings[s]!.toFixed(2)} ms`)
      .join(", ");
    console.log(`\nbest dense cosine similarity: ${best === undefined ? "-" : best.toFixed(3)}`);
    console.log(`timings: ${t}`);
  };

  try {
    if (opts.questions.length) {
      for (const q of opts.questions) await ask(q);
    } else if (process.stdin.isTTY) {
      const rl = createInterface({ input: process.stdin, output: process.stdout });
      for (;;) {
        const q = (await rl.question("\nask> ")).trim();
        if (q === "exit") break;
        if (!q) {
          console.log("(type a question, or exit)");
          continue;
        }
        await ask(q);
      }
      rl.close();
    } else {
      await ask(DEFAULT_QUESTION);
    }
  } finally {
    await llm?.dispose();
    await embedder.dispose?.();
  }
}

const parsed = parseCli(process.argv.slice(2));
let code: number = EXIT.ok;
if (parsed.kind === "exit") code = parsed.code;
else {
  try {
    await main(parsed.options);
  } catch (error) {
    const message = (error instanceof Error ? error.message : String(error)).replace(/\s*\n\s*/g, " ").trim();
    console.error(`ask-the-docs: error: ${message || "unknown error"}`);
    if (process.env.RAGLOOM_DEBUG && error instanceof Error) console.error(error.stack);
    code = error instanceof UsageError ? EXIT.usage : EXIT.failure;
  }
}
// the ONNX runtime may keep the event loop alive: exit once output is flushed
process.stdout.write("", () => process.exit(code));
