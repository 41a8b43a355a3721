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
import { createHash } from "node:crypto";
import { existsSync, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline/promises";
import {
  createRetriever,
  F,
  type HybridRetriever,
  InMemoryVectorStore,
  type VectorStore,
} from "@ragloom/core";
import { createChromaVectorStore } from "@ragloom/core/chroma";
import { createTransformersEmbedder } from "@ragloom/core/transformers";
import cliProgress from "cli-progress";
import { loadModel, streamAnswer } from "./answer.js";
import { type AskOptions, EXIT, parseCli } from "./cli.js";
import { collectDocs, installedPackages } from "./collect-docs.js";
import { selectLanguages, skippedLine } from "./language.js";
import { bestDenseSimilarity, noGoodMatchLine } from "./no-match.js";
import { isCurrent, readManifest, type StoreIdentity, statePaths, writeManifest } from "./state.js";

const ROOT = resolve(import.meta.dirname, "..", "..");
/** Quickstart question, asked when none is given and stdin is not a terminal. */
const DEFAULT_QUESTION = "How do I retry a failed request with exponential backoff?";

async function openIndex(opts: AskOptions) {
  const embedder = await createTransformersEmbedder({
    localModelPath: opts.modelDir,
    offline: true,
    dtype: opts.dtype,
  });
  const packageDirs = installedPackages(
    [
      ROOT,
      join(ROOT, "examples", "ask-the-docs"),
      join(ROOT, "bench"),
      ...["core", "compression", "self-query", "parent-document", "prompts"].map((p) =>
        join(ROOT, "packages", p),
      ),
    ].map((d) => join(d, "node_modules")),
  );
  const only = opts.only ? new Set(opts.only) : undefined;
  const all = collectDocs(packageDirs).filter((d) => !only || only.has(String(d.metadata.package)));
  if (only && !all.length)
    throw new UsageError(`--only ${[...only].join(",")} matches no installed package with Markdown docs.`);
  const selection = selectLanguages(all, opts.languages);
  const skipped = skippedLine(selection, opts.languages);
  if (skipped) console.log(skipped);
  const docs = selection.kept;
  if (!docs.length)
    throw new UsageError("no documents to index in the selected languages (see --languages).");
  const fingerprint = createHash("sha256")
    .update(`${embedder.modelId}:${opts.dtype}\n`)
    .update(docs.map((d) => `${d.id}:${d.text.length}`).join("\n"))
    .digest("hex")
    .slice(0, 16);

  const identity: StoreIdentity = opts.chroma
    ? { kind: "chroma", url: opts.chroma, collection: opts.collection }
    : { kind: "memory" };
  const paths = statePaths(opts.stateDir, identity);
  const current = !opts.reindex && isCurrent(readManifest(opts.stateDir, identity), fingerprint);
  let store: VectorStore;
  let fresh: boolean;
  if (opts.chroma) {
    store = await createChromaVectorStore({
      url: opts.chroma,
      collection: opts.collection,
      dimensions: embedder.dimensions,
    });
    fresh = !current || (await store.count()) === 0;
  } else if (current && existsSync(paths.store)) {
    store = await InMemoryVectorStore.load(paths.store);
    fresh = false;
  } else {
    store = new InMemoryVectorStore({ dimensions: embedder.dimensions });
    fresh = true;
  }

  const retriever: HybridRetriever = createRetriever({ embedder, store, lexical: true, k: opts.k });
  if (fresh) {
    console.log(`Indexing ${docs.length} Markdown files from ${packageDirs.length} installed packages…`);
    const bar = new cliProgress.SingleBar(
      { format: "  {bar} {percentage}% | {value}/{total} chunks | ETA {eta}s" },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    const t0 = performance.now();
    // chunks already in Chroma (same content version) are adopted, not embedded again
    const { chunks } = await retriever.add(docs, {
      onProgress: ({ done, total }) => {
        if (!started) bar.start(total, 0);
        started = true;
        bar.update(done);
      },
    });
    bar.stop();
    if (opts.chroma) await deleteStale(retriever, new Set(docs.map((d) => d.id)));
    console.log(`Indexed ${chunks} chunks in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    mkdirSync(paths.dir, { recursive: true });
    if (store instanceof InMemoryVectorStore) await store.save(paths.store);
    writeManifest(opts.stateDir, {
      store: identity,
      fingerprint,
      chunks: await store.count(),
      indexedAt: new Date().toISOString(),
    });
  } else {
    // rebuild the BM25 index from the stored chunks (fast; no embedding)
    const t0 = performance.now();
    for await (const page of store.scan!()) retriever.lexical!.add(page);
    console.log(
      `Loaded ${await store.count()} chunks from ${opts.chroma ? `${opts.chroma} (collection ${opts.collection})` : paths.store} (${(performance.now() - t0).toFixed(0)} ms)`,
    );
  }
  return { embedder, retriever };
}

/** Deletes documents left in the store by an earlier run over a different document set. */
async function deleteStale(retriever: HybridRetriever, keep: Set<string>) {
  const stale = new Set<string>();
  for await (const page of retriever.store.scan!()) {
    for (const c of page) {
      const parent = String(c.metadata?.parentId ?? c.id);
      if (!keep.has(parent)) stale.add(parent);
    }
  }
  if (stale.size) await retriever.delete([...stale]);
}

/** A usage problem found after parsing (exit code 2). */
class UsageError extends Error {}

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
