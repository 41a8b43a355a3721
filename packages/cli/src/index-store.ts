import { existsSync } from "node:fs";
import { mkdir, stat } from "node:fs/promises";
import { join } from "node:path";
import {
  BM25Index,
  createRetriever,
  type Embedder,
  type HybridRetriever,
  InMemoryVectorStore,
  ValidationError,
  type VectorStore,
} from "@ragloom/core";
import type { Catalog } from "@ragloom/loaders";
import { StructureAwareSplitter } from "@ragloom/loaders";
import { readJsonIfExists, writeFileAtomic } from "./fs-utils.js";
import { FileManifestStore } from "./manifest-log.js";
import { collectionDir, hasLocalModel, type PartialSettings, type Settings } from "./settings.js";

/** `index.json`: what an index was built with, so later commands need no flags. */
export interface IndexInfo {
  format: "ragloom-index";
  version: 1;
  store: Settings["store"];
  chromaUrl?: string;
  collection: string;
  model: string;
  dtype: Settings["dtype"];
  dimensions: number;
  chunkSize: number;
  chunkOverlap: number;
  createdAt: string;
  updatedAt: string;
}

/** Files of one collection's index folder. */
export function indexFiles(settings: Pick<Settings, "dir" | "collection">) {
  const dir = collectionDir(settings);
  return {
    dir,
    info: join(dir, "index.json"),
    vectors: join(dir, "vectors.bin"),
    catalog: join(dir, "catalog.json"),
    lexical: join(dir, "bm25.bin"),
    manifests: join(dir, "manifests.jsonl"),
  };
}

/** Reads `index.json` of the collection, if any. */
export async function readIndexInfo(settings: Settings): Promise<IndexInfo | undefined> {
  return readJsonIfExists<IndexInfo>(indexFiles(settings).info);
}

/**
 * Settings of an existing index win over defaults; an explicit flag or config value that
 * contradicts how the index was built is an error.
 * @throws ValidationError on a conflict.
 */
export function applyIndexInfo(settings: Settings, info: IndexInfo, explicit: PartialSettings): Settings {
  const fixed = ["store", "model", "dtype", "chunkSize", "chunkOverlap"] as const;
  for (const key of fixed) {
    if (explicit[key] !== undefined && explicit[key] !== info[key]) {
      throw new ValidationError(
        `the index of collection "${info.collection}" was built with ${key} ${info[key]}, not ${explicit[key]}: use another --collection or --dir`,
      );
    }
  }
  return {
    ...settings,
    store: info.store,
    model: info.model,
    dtype: info.dtype,
    chunkSize: info.chunkSize,
    chunkOverlap: info.chunkOverlap,
    chromaUrl: explicit.chromaUrl ?? info.chromaUrl ?? settings.chromaUrl,
  };
}

const embedders = new Map<string, ReturnType<typeof createEmbedder>>();

function createEmbedder(settings: Settings) {
  return import("@ragloom/core/transformers").then(({ createTransformersEmbedder }) =>
    createTransformersEmbedder({
      model: settings.model,
      localModelPath: settings.modelDir,
      offline: hasLocalModel(settings),
      dtype: settings.dtype,
      onWarning: () => {},
    }),
  );
}

/**
 * Loads the embedding model (offline when a local copy exists in `modelDir`), once per process
 * and model: commands run in process by `run()` share it.
 */
export function loadEmbedder(settings: Settings) {
  const key = JSON.stringify([settings.model, settings.modelDir, settings.dtype]);
  let embedder = embedders.get(key);
  if (!embedder) {
    embedder = createEmbedder(settings);
    embedders.set(key, embedder);
    embedder.catch(() => embedders.delete(key));
  }
  return embedder;
}

/**
 * Opens the collection's vector store: the saved in-memory store file (or an empty store), or
 * the Chroma collection (created when missing).
 * @throws ServiceError when Chroma is unreachable; CorruptFileError for a damaged store file.
 */
export async function openStore(settings: Settings, dimensions: number): Promise<VectorStore> {
  if (settings.store === "chroma") {
    const { createChromaVectorStore } = await import("@ragloom/core/chroma");
    return createChromaVectorStore({ url: settings.chromaUrl, collection: settings.collection, dimensions });
  }
  const file = indexFiles(settings).vectors;
  return existsSync(file) ? InMemoryVectorStore.load(file) : new InMemoryVectorStore({ dimensions });
}

/**
 * The collection's BM25 index: the saved `bm25.bin` when it matches the store's record count,
 * else rebuilt from the store's texts (no embedding), e.g. after another process wrote to a
 * Chroma collection.
 * @throws CorruptFileError for a damaged `bm25.bin`.
 */
export async function loadLexical(store: VectorStore, file?: string): Promise<BM25Index> {
  const count = await store.count();
  if (file && existsSync(file)) {
    const saved = await BM25Index.load(file);
    if (saved.size === count) return saved;
  }
  const lexical = new BM25Index();
  if (!store.scan) return lexical;
  for await (const page of store.scan({ pageSize: 1000 })) lexical.add(page);
  return lexical;
}

/** An opened index: store, BM25, retriever, catalog. */
export interface OpenIndex {
  settings: Settings;
  info: IndexInfo;
  embedder: Embedder;
  store: VectorStore;
  lexical: BM25Index;
  retriever: HybridRetriever;
  catalog: Catalog;
  /** Persists the in-memory store, the BM25 index, the catalog and `index.json`. */
  save(catalog: Catalog): Promise<void>;
  /** Releases open files. */
  close(): Promise<void>;
}

/** Opens (or, with `create`, creates) the index of `settings.collection`. */
export async function openIndex(
  settings: Settings,
  explicit: PartialSettings,
  options: { create: boolean },
): Promise<OpenIndex> {
  const files = indexFiles(settings);
  const existing = await readIndexInfo(settings);
  if (!existing && !options.create)
    throw new ValidationError(`no index in ${files.dir}: run \`ragloom index <folder>\` first`);
  const s = existing ? applyIndexInfo(settings, existing, explicit) : settings;
  const embedder = await loadEmbedder(s);
  if (existing && existing.dimensions !== embedder.dimensions)
    throw new ValidationError(
      `model ${s.model} gives ${embedder.dimensions} dimensions, the index has ${existing.dimensions}`,
    );
  const store = await openStore(s, embedder.dimensions);
  const lexical = await loadLexical(store, files.lexical);
  // Chroma outlives the process: keep the write-ahead manifests on disk so a crashed write is repaired
  if (s.store === "chroma") await mkdir(files.dir, { recursive: true });
  const manifests = s.store === "chroma" ? await FileManifestStore.open(files.manifests) : undefined;
  const now = new Date().toISOString();
  const info: IndexInfo = existing ?? {
    format: "ragloom-index",
    version: 1,
    store: s.store,
    collection: s.collection,
    model: s.model,
    dtype: s.dtype,
    dimensions: embedder.dimensions,
    chunkSize: s.chunkSize,
    chunkOverlap: s.chunkOverlap,
    createdAt: now,
    updatedAt: now,
  };
  if (s.store === "chroma") info.chromaUrl = s.chromaUrl;
  const countTokens = embedder.countTokens?.bind(embedder);
  const retriever = createRetriever({
    embedder,
    store,
    lexical,
    ...(manifests ? { manifests } : {}),
    k: s.k,
    mode: s.mode,
    splitter: new StructureAwareSplitter({
      chunkSize: s.chunkSize,
      chunkOverlap: s.chunkOverlap,
      ...(countTokens ? { lengthFunction: countTokens } : {}),
    }),
  });
  const catalog = (await readJsonIfExists<Catalog>(files.catalog)) ?? {};
  return {
    settings: s,
    info,
    embedder,
    store,
    lexical,
    retriever,
    catalog,
    async save(next) {
      await mkdir(files.dir, { recursive: true });
      if (store instanceof InMemoryVectorStore) await store.save(files.vectors);
      await lexical.save(files.lexical);
      await manifests?.compact();
      await writeFileAtomic(files.catalog, JSON.stringify(next));
      info.updatedAt = new Date().toISOString();
      await writeFileAtomic(files.info, JSON.stringify(info, null, 2));
    },
    async close() {
      await manifests?.close();
    },
  };
}

/** Bytes of the collection's index files on disk. */
export async function indexBytes(settings: Settings): Promise<number> {
  const f = indexFiles(settings);
  let total = 0;
  for (const p of [f.info, f.vectors, f.catalog, f.lexical, f.manifests])
    total += (await stat(p).catch(() => undefined))?.size ?? 0;
  return total;
}
