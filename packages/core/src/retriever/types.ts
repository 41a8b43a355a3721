import type { EventSinkLike } from "../events/event-bus.js";
import type { ScoreNormalization } from "../fusion/fusion.js";
import type { InMemoryManifestStore, ManifestStore } from "../ingest/manifest-store.js";
import type { BM25Index, BM25Options } from "../lexical/bm25.js";
import type { RecursiveTextSplitter } from "../splitter/recursive-splitter.js";
import type { Document } from "../types/document.js";
import type { CallOptions, Embedder } from "../types/embedder.js";
import type { LexicalIndex } from "../types/lexical-index.js";
import type {
  IngestResult,
  Reranker,
  RetrievalResult,
  RetrieveOptions,
  Retriever,
} from "../types/retriever.js";
import type { VectorStore } from "../types/vector-store.js";

/** Retrieval mode: embeddings only, BM25 only, or both fused. */
export type RetrievalMode = "dense" | "lexical" | "hybrid";

/**
 * How hybrid retrieval fuses the dense and lexical lists: reciprocal rank fusion
 * ({@link reciprocalRankFusion}) or a convex combination of normalised scores
 * ({@link weightedScoreFusion}). Without `fusion`, the retriever uses {@link DEFAULT_FUSION}
 * (`{ method: "weighted", weights: [0.5, 0.5], normalization: "z-score" }`); the defaults below
 * fill in the fields a given `fusion` leaves out.
 */
export type FusionOptions =
  | {
      /** Reciprocal rank fusion: `score(d) = Σ_i w_i / (k + rank_i(d))`. */
      method: "rrf";
      /**
       * Rank constant, ≥ 0.
       * @defaultValue `60` ({@link RRF_K}, Cormack, Clarke & Büttcher, SIGIR 2009)
       */
      k?: number;
      /**
       * Weights of the `[dense, lexical]` lists.
       * @defaultValue `[1, 1]`
       */
      weights?: [number, number];
    }
  | {
      /** Convex combination of normalised scores: `score(d) = Σ_i w_i · norm_i(d)`. */
      method: "weighted";
      /**
       * Weights of the `[dense, lexical]` lists.
       * @defaultValue `[0.5, 0.5]`
       */
      weights?: [number, number];
      /**
       * How each list's scores are put on one scale (see {@link ScoreNormalization}).
       * @defaultValue `"min-max"` (the retriever's {@link DEFAULT_FUSION} sets `"z-score"`)
       */
      normalization?: ScoreNormalization;
    };

/** Progress of {@link HybridRetriever.add}. */
export interface IngestProgress {
  /** Chunks embedded and indexed so far, counting those of unchanged documents (skipped). */
  done: number;
  /** Chunks of all documents in this call. */
  total: number;
}

/** Options of {@link HybridRetriever.add}. */
export interface HybridAddOptions extends CallOptions {
  /** Re-embed documents whose content version is already indexed. @default false */
  force?: boolean;
  onProgress?: (progress: IngestProgress) => void;
}

/** Options of {@link createRetriever}. */
export interface CreateRetrieverOptions {
  embedder: Embedder;
  store: VectorStore;
  /**
   * Enables lexical retrieval: any {@link LexicalIndex} (an existing {@link BM25Index}, a
   * `PgLexicalIndex`, your own), or BM25 options or `true` for a new in-process
   * {@link BM25Index}. The retriever writes and deletes chunks in it as in the store.
   * @default none (dense only)
   */
  lexical?: LexicalIndex | BM25Options | boolean;
  /** @default "hybrid" when `lexical` is set, else "dense" */
  mode?: RetrievalMode;
  /**
   * @default {@link DEFAULT_FUSION}: `{ method: "weighted", weights: [0.5, 0.5], normalization:
   *   "z-score" }`
   */
  fusion?: FusionOptions;
  /** Documents returned per query. @default min(10, maxK) */
  k?: number;
  /**
   * Largest `k` a call may ask for; a larger one is a `ValidationError` (a huge `k` would make
   * the store rank and return everything). @default 10000
   */
  maxK?: number;
  /**
   * Depth of each list fused in hybrid mode: the dense and the lexical search each return this
   * many hits whatever `k` a call asks for, so the fused order, and so the top 10, is the same for
   * every `k` up to `candidates`. A call with a larger `k` deepens both lists to `k` (its fused
   * order may then differ from a shallower call's). An integer in [1, `maxK`]; a call may
   * override it. @default min(100, maxK)
   */
  candidates?: number;
  /**
   * Splits documents in `add`. `false` indexes documents whole. @default a
   * {@link RecursiveTextSplitter} of 200 embedder tokens with 20 overlap (1000/100 characters
   * when the embedder cannot count tokens)
   */
  splitter?: RecursiveTextSplitter | false;
  /** Texts per embedding call in `add`. @default 64 */
  batchSize?: number;
  /**
   * Source documents written as one all-or-nothing step of `add` (one manifest write, one
   * commit, one clean-up of replaced versions): the unit `IngestError.written` reports in. At
   * most 1000. @default max(32, batchSize), so that whole documents fill an embedding call
   */
  documentBatchSize?: number;
  /**
   * Where the per-document write-ahead manifests live (see {@link HybridRetriever.add}). Pass a
   * persistent {@link ManifestStore} so that `repair()` in a later process can finish writes a
   * crashed one left. @default an {@link InMemoryManifestStore}
   */
  manifests?: ManifestStore;
  /** Optional reranker applied to the top `rerankDepth` fused results. */
  reranker?: Reranker;
  /**
   * Fused results handed to the reranker: the top `max(rerankDepth, k)`, a depth that does not
   * grow with `k`, so the reranked top 10 is the same for every `k` up to `rerankDepth`. An
   * integer in [1, `maxK`]. @default min(40, maxK) ({@link DEFAULT_RERANK_DEPTH})
   */
  rerankDepth?: number;
  /** Longest accepted query, in characters. @default 8192 */
  maxQueryLength?: number;
  /**
   * Receives `retrieve:start`, `retrieve:end`, `retrieve:error` and `ingest:progress` (see
   * `RagloomEventMap`); an {@link EventBus} from `createEventBus()` or any `emit(name, payload)`
   * object. A throwing listener never breaks a retrieval.
   */
  events?: EventSinkLike;
  /** Told when rolling back a failed write fails too. @default console.warn */
  onWarning?: (message: string) => void;
}

/** Options of {@link HybridRetriever.retrieve}. */
export interface HybridRetrieveOptions extends RetrieveOptions {
  /** Overrides the retriever's mode for this call. */
  mode?: RetrievalMode;
  /**
   * Overrides the retriever's `candidates` (depth of each fused list) for this call: an integer
   * in [1, `maxK`]; the depth is `max(candidates, k)`. @default the retriever's `candidates`
   */
  candidates?: number;
  /**
   * Attach each dense hit's stored vector as `vector` (a `Float32Array`), so compressors such as
   * an embeddings filter need not re-embed. Lexical-only hits carry none. @default false
   */
  includeVectors?: boolean;
}

/** The retriever returned by {@link createRetriever}; `L` is the type of its lexical index. */
export interface HybridRetriever<L extends LexicalIndex = LexicalIndex> extends Retriever {
  readonly embedder: Embedder;
  readonly store: VectorStore;
  readonly lexical: L | undefined;
  readonly mode: RetrievalMode;
  /** Increments on every add/delete that changes what is retrieved; caches key on it. */
  readonly version: number;
  /**
   * Stable identity of everything that decides an answer besides the query, the call options
   * and {@link HybridRetriever.version}: the store's `scope` (a random per-store-instance id when
   * the store has none, so such retrievers never share cached answers), the embedder's
   * `modelId`, the mode, fusion method and parameters, `k`, candidate and rerank depths, whether
   * a reranker is set, and the BM25 parameters (`k1`, `b`, and the analyzer, identified by its
   * terms for a fixed probe text), or another lexical index's `kind` and `scope` (a random
   * per-instance id when it has no scope). A SHA-256 hex digest (32 characters).
   */
  readonly fingerprint: string;
  /** The write-ahead manifests of this retriever's documents. */
  readonly manifests: ManifestStore;
  retrieve(query: string, options?: HybridRetrieveOptions): Promise<RetrievalResult>;
  /**
   * Splits, embeds in batches and indexes documents, all-or-nothing per document: a changed
   * document is written under new chunk ids (`${id}@${version}#${i}`) next to its old version,
   * which stays the one retrieved until the new one is complete; then the old one is removed.
   * A document whose content is already indexed is skipped (see {@link IngestResult}).
   * Concurrent calls are serialised per document id.
   * @throws ValidationError for malformed documents (nothing is written).
   * @throws IngestError when a write fails part-way: `written`, `failed`, `cause`.
   * @throws AbortError when `signal` aborts (`cause` is the `IngestError`).
   */
  add(documents: Document[], options?: HybridAddOptions): Promise<IngestResult>;
  /**
   * Deletes source documents (every chunk of every version) by id.
   * @throws AbortError when `signal` aborts; the store's error (retrying finishes the delete).
   */
  delete(ids: string[], options?: CallOptions): Promise<void>;
  /**
   * Finishes writes that failed and could not be rolled back (also those of an earlier process,
   * with a persistent `manifests` store): removes their pending and replaced chunks. Returns how
   * many documents it cleaned.
   */
  repair(options?: CallOptions): Promise<number>;
}
