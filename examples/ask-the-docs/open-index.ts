/**
 * Opens the index of ask-the-docs: collects the docs, keeps the selected languages, and loads the
 * saved index of the chosen store when its manifest is current, else indexes (with a progress bar).
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import {
  createRetriever,
  type Document,
  type Embedder,
  type HybridRetriever,
  InMemoryVectorStore,
  type VectorStore,
} from "@ragloom/core";
import { createChromaVectorStore } from "@ragloom/core/chroma";
import { createTransformersEmbedder } from "@ragloom/core/transformers";
import cliProgress from "cli-progress";
import type { AskOptions } from "./cli.js";
import { collectDocs, installedPackages } from "./collect-docs.js";
import { selectLanguages, skippedLine } from "./language.js";
import { isCurrent, readManifest, type StoreIdentity, statePaths, writeManifest } from "./state.js";

const ROOT = resolve(import.meta.dirname, "..", "..");
/** A problem with the options found after parsing (exit code 2). */
export class UsageError extends Error {}

/** The options {@link openIndex} reads. */
export type IndexOptions = Pick<
  AskOptions,
  "chroma" | "collection" | "k" | "reindex" | "modelDir" | "dtype" | "only" | "stateDir" | "languages"
>;

/**
 * Opens (or builds) the index. Prints what it does to stdout.
 * @throws UsageError when `only` or `languages` select no document; the embedder's and the store's errors.
 */
export async function openIndex(
  opts: IndexOptions,
): Promise<{ embedder: Embedder; retriever: HybridRetriever; docs: Document[] }> {
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
  return { embedder, retriever, docs };
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
