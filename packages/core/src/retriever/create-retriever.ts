import { throwIfAborted, ValidationError } from "../errors/errors.js";
import { type EventSinkLike, emitEvent } from "../events/event-bus.js";
import type { Filter } from "../filter/types.js";
import { validateFilter } from "../filter/validate.js";
import { RRF_K, reciprocalRankFusion, weightedScoreFusion } from "../fusion/fusion.js";
import { BM25Index, type BM25Options } from "../lexical/bm25.js";
import { RecursiveTextSplitter } from "../splitter/recursive-splitter.js";
import type { Document, ScoredDocument } from "../types/document.js";
import type { CallOptions, Embedder } from "../types/embedder.js";
import type { Reranker, RetrievalResult, RetrieveOptions, Retriever, Timings } from "../types/retriever.js";
import type { VectorStore } from "../types/vector-store.js";

/** Retrieval mode: embeddings only, BM25 only, or both fused. */
export type RetrievalMode = "dense" | "lexical" | "hybrid";

/** How hybrid retrieval fuses the dense and lexical lists. */
export type FusionOptions =
  | {
      method: "rrf" /** @default 60 */;
      k?: number /** [dense, lexical] @default [1, 1] */;
      weights?: [number, number];
    }
  | { method: "weighted" /** [dense, lexical] @default [0.5, 0.5] */; weights?: [number, number] };

/** Progress of {@link HybridRetriever.add}. */
export interface IngestProgress {
  /** Chunks embedded and indexed so far. */
  done: number;
  /** Chunks in this call. */
  total: number;
}

/** Options of {@link createRetriever}. */
export interface CreateRetrieverOptions {
  embedder: Embedder;
  store: VectorStore;
  /**
   * Enables lexical retrieval: an existing {@link BM25Index}, BM25 options, or `true` for
   * the defaults. @default none (dense only)
   */
  lexical?: BM25Index | BM25Options | boolean;
  /** @default "hybrid" when `lexical` is set, else "dense" */
  mode?: RetrievalMode;
  /** @default { method: "rrf", k: 60 } */
  fusion?: FusionOptions;
  /** Documents returned per query. @default 10 */
  k?: number;
  /** Depth of each list fused in hybrid mode. @default max(100, 4·k) */
  candidates?: number;
  /**
   * Splits documents in `add`. `false` indexes documents whole. @default a
   * {@link RecursiveTextSplitter} of 200 embedder tokens with 20 overlap (1000/100 characters
   * when the embedder cannot count tokens)
   */
  splitter?: RecursiveTextSplitter | false;
  /** Texts per embedding call in `add`. @default 64 */
  batchSize?: number;
  /** Optional reranker applied to the top `rerankDepth` fused results. */
  reranker?: Reranker;
  /** Results handed to the reranker. @default 4·k */
  rerankDepth?: number;
  /** Longest accepted query, in characters. @default 8192 */
  maxQueryLength?: number;
  /**
   * Receives `retrieve:start`, `retrieve:end`, `retrieve:error` and `ingest:progress` (see
   * `RagloomEventMap`); an {@link EventBus} from `createEventBus()` or any `emit(name, payload)`
   * object. A throwing listener never breaks a retrieval.
   */
  events?: EventSinkLike;
}

/** Options of {@link HybridRetriever.retrieve}. */
export interface HybridRetrieveOptions extends RetrieveOptions {
  /** Overrides the retriever's mode for this call. */
  mode?: RetrievalMode;
  /**
   * Attach each dense hit's stored vector as `vector` (a `Float32Array`), so compressors such as
   * an embeddings filter need not re-embed. Lexical-only hits carry none. @default false
   */
  includeVectors?: boolean;
}

/** The retriever returned by {@link createRetriever}. */
export interface HybridRetriever extends Retriever {
  readonly embedder: Embedder;
  readonly store: VectorStore;
  readonly lexical: BM25Index | undefined;
  readonly mode: RetrievalMode;
  /** Increments on every add/delete; caches key on it. */
  readonly version: number;
  retrieve(query: string, options?: HybridRetrieveOptions): Promise<RetrievalResult>;
  /** Splits, embeds in batches and indexes documents; re-adding an id replaces its chunks. Returns the chunk count. */
  add(
    documents: Document[],
    options?: CallOptions & { onProgress?: (p: IngestProgress) => void },
  ): Promise<number>;
  /** Deletes source documents (and all their chunks) by id. */
  delete(ids: string[], options?: CallOptions): Promise<void>;
}

const now = () => performance.now();

/**
 * Creates a dense, lexical (BM25) or hybrid retriever over an embedder and a vector store.
 *
 * `retrieve` returns documents best first; `score` is cosine similarity in [-1, 1] (dense),
 * a BM25 score (lexical), or the fused score (hybrid: RRF by default, see
 * {@link reciprocalRankFusion}), and per-stage timings in milliseconds
 * (`embed`, `search`, `lexical`, `fuse`, `rerank`, `total`).
 * @throws ValidationError for an empty or too long query, a bad `k`, a lexical/hybrid mode
 *   without a lexical index; FilterError for an invalid filter; the store's errors.
 */
export function createRetriever(options: CreateRetrieverOptions): HybridRetriever {
  const { embedder, store } = options;
  const lexical =
    options.lexical instanceof BM25Index
      ? options.lexical
      : options.lexical
        ? new BM25Index(options.lexical === true ? {} : options.lexical)
        : undefined;
  const mode: RetrievalMode = options.mode ?? (lexical ? "hybrid" : "dense");
  const defaultK = options.k ?? 10;
  const fusion: FusionOptions = options.fusion ?? { method: "rrf", k: RRF_K };
  const batchSize = options.batchSize ?? 64;
  const maxQueryLength = options.maxQueryLength ?? 8192;
  const splitter =
    options.splitter === false
      ? undefined
      : (options.splitter ??
        (embedder.countTokens
          ? new RecursiveTextSplitter({
              chunkSize: 200,
              chunkOverlap: 20,
              lengthFunction: (t) => embedder.countTokens!(t),
            })
          : new RecursiveTextSplitter({ chunkSize: 1000, chunkOverlap: 100 })));
  const events = options.events;
  const chunksOf = new Map<string, string[]>();
  let version = 0;

  const checkMode = (m: RetrievalMode) => {
    if (m !== "dense" && !lexical)
      throw new ValidationError(`mode "${m}" needs a lexical index (pass lexical: true)`);
  };
  checkMode(mode);

  const retrieve = async (query: string, opts: HybridRetrieveOptions = {}): Promise<RetrievalResult> => {
    const t0 = now();
    const m = opts.mode ?? mode;
    const k = opts.k ?? defaultK;
    if (typeof query !== "string" || query.trim().length === 0)
      throw new ValidationError("query must be a non-empty string");
    if (query.length > maxQueryLength) {
      throw new ValidationError(
        `query is ${query.length} characters, more than maxQueryLength ${maxQueryLength}`,
      );
    }
    if (!Number.isInteger(k) || k < 1) throw new ValidationError(`k must be a positive integer, got ${k}`);
    checkMode(m);
    const filter: Filter | null = opts.filter ? validateFilter(opts.filter) : null;
    const signal = opts.signal;
    emitEvent(events, "retrieve:start", { query, k, mode: m });
    const timings: Timings = {};
    try {
      const depth = m === "hybrid" ? Math.max(options.candidates ?? Math.max(100, 4 * k), k) : k;
      const fetchK = options.reranker ? Math.max(depth, options.rerankDepth ?? 4 * k) : depth;
      let dense: ScoredDocument[] = [];
      let sparse: ScoredDocument[] = [];
      if (m !== "lexical") {
        let t = now();
        const qv = await embedder.embedQuery(query, { signal });
        timings.embed = now() - t;
        t = now();
        dense = await store.query(qv, { k: fetchK, filter, signal, includeVectors: opts.includeVectors });
        timings.search = now() - t;
      }
      if (m !== "dense") {
        const t = now();
        sparse = lexical!.search(query, { k: fetchK, filter, signal });
        timings.lexical = now() - t;
      }
      let documents: ScoredDocument[];
      if (m === "hybrid") {
        const t = now();
        documents =
          fusion.method === "rrf"
            ? reciprocalRankFusion([dense, sparse], { k: fusion.k ?? RRF_K, weights: fusion.weights })
            : weightedScoreFusion([dense, sparse], { weights: fusion.weights ?? [0.5, 0.5] });
        timings.fuse = now() - t;
      } else {
        documents = m === "dense" ? dense : sparse;
      }
      if (options.reranker) {
        const t = now();
        documents = await options.reranker.rerank(query, documents.slice(0, options.rerankDepth ?? 4 * k), {
          k,
          signal,
        });
        timings.rerank = now() - t;
      }
      documents = documents.slice(0, k);
      timings.total = now() - t0;
      emitEvent(events, "retrieve:end", { query, k, mode: m, count: documents.length, timings });
      return { documents, timings };
    } catch (error) {
      emitEvent(events, "retrieve:error", { query, error });
      throw error;
    }
  };

  /**
   * Removes every chunk of the given source documents: by `parentId` where the store can delete
   * by filter (this also finds chunks another process wrote), else by the chunk ids this
   * retriever wrote; the BM25 index likewise by `parentId`.
   */
  const removeChunks = async (docIds: string[], signal?: AbortSignal) => {
    if (docIds.length === 0) return;
    const byParent: Filter = { op: "in", field: "parentId", value: docIds };
    if (store.deleteWhere) {
      await store.deleteWhere(byParent, { signal });
    } else {
      const ids = docIds.flatMap((id) => [id, ...(chunksOf.get(id) ?? [])]);
      await store.delete([...new Set(ids)], { signal });
    }
    for (const id of docIds) chunksOf.delete(id);
    lexical?.deleteWhere(byParent);
  };

  const add: HybridRetriever["add"] = async (documents, opts = {}) => {
    const seen = new Set<string>();
    for (const d of documents) {
      if (!d || typeof d.id !== "string" || d.id.length === 0)
        throw new ValidationError("every document needs a non-empty string id");
      if (typeof d.text !== "string") throw new ValidationError(`document "${d.id}" has no text`);
      if (seen.has(d.id)) throw new ValidationError(`duplicate document id "${d.id}" in one add() call`);
      seen.add(d.id);
    }
    const docs = documents.map((d) => ({ ...d, metadata: d.metadata ?? {} }));
    const chunks = splitter
      ? splitter.splitDocuments(docs)
      : docs.map((d) => ({ ...d, metadata: { ...d.metadata, parentId: d.id } }));
    await removeChunks(
      docs.map((d) => d.id),
      opts.signal,
    );
    let done = 0;
    for (let i = 0; i < chunks.length; i += batchSize) {
      throwIfAborted(opts.signal);
      const batch = chunks.slice(i, i + batchSize);
      const vectors = await embedder.embedDocuments(
        batch.map((c) => c.text),
        { signal: opts.signal },
      );
      await store.upsert(
        batch.map((c, j) => ({ ...c, vector: vectors[j]! })),
        { signal: opts.signal },
      );
      lexical?.add(batch);
      for (const c of batch) {
        const parent = String(c.metadata.parentId);
        const list = chunksOf.get(parent) ?? [];
        list.push(c.id);
        chunksOf.set(parent, list);
      }
      done += batch.length;
      version++;
      const progress = { done, total: chunks.length };
      opts.onProgress?.(progress);
      emitEvent(events, "ingest:progress", progress);
    }
    return chunks.length;
  };

  return {
    embedder,
    store,
    lexical,
    mode,
    get version() {
      return version;
    },
    retrieve,
    add,
    async delete(ids, opts = {}) {
      await removeChunks(ids, opts.signal);
      version++;
    },
  };
}
