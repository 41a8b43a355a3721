/**
 * ask-the-docs: index the Markdown documentation of the packages installed in this workspace's
 * node_modules, then answer questions with hybrid (BM25 + MiniLM) retrieval.
 *
 *   pnpm example "how do I retry with exponential backoff?"
 *   pnpm example --chroma http://127.0.0.1:8000 "what is a circuit breaker?"
 *   pnpm example --mode dense -k 3 --package vitest "how do I mock a module?"
 *   pnpm example --answer "How do I retry a failed request with exponential backoff?"
 *   pnpm example --answer --llm-url http://localhost:11434/v1 --llm-model llama3.2 "what is a circuit breaker?"
 *
 * The in-memory index is saved to .ragloom/ask-the-docs/ so a second run skips indexing.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline/promises";
import { parseArgs } from "node:util";
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
import { collectDocs, installedPackages } from "./collect-docs.js";

const ROOT = resolve(import.meta.dirname, "..", "..");
const { values: opts, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    chroma: { type: "string" },
    k: { type: "string", short: "k", default: "5" },
    mode: { type: "string", default: "hybrid" },
    package: { type: "string" },
    reindex: { type: "boolean", default: false },
    "model-dir": { type: "string" },
    dtype: { type: "string", default: "fp32" },
    only: { type: "string" },
    "state-dir": { type: "string" },
    answer: { type: "boolean", default: false },
    "llm-url": { type: "string" },
    "llm-model": { type: "string" },
    "llm-file": { type: "string" },
    help: { type: "boolean", short: "h", default: false },
  },
});
if (opts.help) {
  console.log(
    `usage: pnpm example [--chroma URL] [-k N] [--mode dense|lexical|hybrid] [--package NAME] [--reindex] [--answer [--llm-url URL --llm-model NAME | --llm-file GGUF]] "question" ...`,
  );
  process.exit(0);
}

const modelDir =
  opts["model-dir"] ??
  process.env.RAGLOOM_MODEL_DIR ??
  join(process.env.RAGLOOM_CACHE ?? join(homedir(), ".cache", "ragloom"), "models");
const embedder = await createTransformersEmbedder({
  localModelPath: modelDir,
  offline: true,
  dtype: opts.dtype as "q8" | "fp32",
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
const only = opts.only ? new Set(opts.only.split(",")) : undefined;
const docs = collectDocs(packageDirs).filter((d) => !only || only.has(String(d.metadata.package)));
const fingerprint = createHash("sha256")
  .update(`${embedder.modelId}:${opts.dtype}\n`)
  .update(docs.map((d) => `${d.id}:${d.text.length}`).join("\n"))
  .digest("hex")
  .slice(0, 16);

const stateDir = opts["state-dir"] ?? join(ROOT, ".ragloom", "ask-the-docs");
const storeFile = join(stateDir, "store.bin");
const manifestFile = join(stateDir, "manifest.json");
let store: VectorStore;
let fresh = opts.reindex;
if (opts.chroma) {
  store = await createChromaVectorStore({
    url: opts.chroma,
    collection: "ask_the_docs",
    dimensions: embedder.dimensions,
  });
  const manifest = `chroma:${opts.chroma}:${fingerprint}`;
  fresh ||=
    !existsSync(manifestFile) ||
    readFileSync(manifestFile, "utf8") !== manifest ||
    (await store.count()) === 0;
} else if (
  !fresh &&
  existsSync(storeFile) &&
  existsSync(manifestFile) &&
  readFileSync(manifestFile, "utf8") === `memory:${fingerprint}`
) {
  store = await InMemoryVectorStore.load(storeFile);
} else {
  store = new InMemoryVectorStore({ dimensions: embedder.dimensions });
  fresh = true;
}

const retriever: HybridRetriever = createRetriever({ embedder, store, lexical: true, k: Number(opts.k) });
if (fresh) {
  console.log(`Indexing ${docs.length} Markdown files from ${packageDirs.length} installed packages…`);
  const bar = new cliProgress.SingleBar(
    { format: "  {bar} {percentage}% | {value}/{total} chunks | ETA {eta}s" },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  const t0 = performance.now();
  const { chunks } = await retriever.add(docs, {
    onProgress: ({ done, total }) => {
      if (!started) bar.start(total, 0);
      started = true;
      bar.update(done);
    },
  });
  bar.stop();
  console.log(`Indexed ${chunks} chunks in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  mkdirSync(stateDir, { recursive: true });
  if (store instanceof InMemoryVectorStore) {
    await store.save(storeFile);
    writeFileSync(manifestFile, `memory:${fingerprint}`);
  } else {
    writeFileSync(manifestFile, `chroma:${opts.chroma}:${fingerprint}`);
  }
} else {
  // rebuild the BM25 index from the stored chunks (fast; no embedding)
  const t0 = performance.now();
  for await (const page of store.scan!()) retriever.lexical!.add(page);
  console.log(
    `Loaded ${await store.count()} chunks from ${opts.chroma ?? storeFile} (${(performance.now() - t0).toFixed(0)} ms)`,
  );
}

const llm = opts.answer
  ? await loadModel({ url: opts["llm-url"], model: opts["llm-model"], file: opts["llm-file"] })
  : undefined;
const ask = async (question: string) => {
  const filter = opts.package ? F.eq("package", opts.package) : undefined;
  const mode = opts.mode as "dense" | "lexical" | "hybrid";
  if (llm) {
    const inMode = { retrieve: (q: string, o = {}) => retriever.retrieve(q, { ...o, mode }) };
    await streamAnswer(inMode, llm.model, question, { k: Number(opts.k), filter });
    return;
  }
  const { documents, timings } = await retriever.retrieve(question, { mode, filter });
  console.log(`\nQ: ${question}`);
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
  console.log(`\ntimings: ${t}`);
};

if (positionals.length) {
  for (const q of positionals) await ask(q);
} else if (process.stdin.isTTY) {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  for (;;) {
    const q = (await rl.question("\nask> ")).trim();
    if (!q || q === "exit") break;
    await ask(q);
  }
  rl.close();
} else {
  await ask("How do I retry a failed request with exponential backoff?");
}
await llm?.dispose();
await embedder.dispose?.();
