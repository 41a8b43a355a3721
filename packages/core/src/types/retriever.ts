import type { Filter } from "../filter/types.js";
import type { ScoredDocument } from "./document.js";
import type { CallOptions } from "./embedder.js";

/**
 * Milliseconds spent per stage of one retrieval. Stages that did not run are absent.
 * Known stages: `embed`, `search` (dense), `lexical`, `fuse`, `rerank`, `cache`, `compress`,
 * `total`; wrappers may add their own.
 */
export type Timings = Partial<Record<string, number>>;

/** Options of {@link Retriever.retrieve}. */
export interface RetrieveOptions extends CallOptions {
  /** Number of documents to return; defaults to the retriever's own `k`. */
  k?: number;
  /** Metadata filter (filter IR). */
  filter?: Filter | null;
}

/** What a retrieval returns. */
export interface RetrievalResult {
  /** Documents, best first. The meaning of `score` is documented by the producing retriever. */
  documents: ScoredDocument[];
  /** Per-stage timings in milliseconds. */
  timings: Timings;
  /** Free-form facts a wrapper wants to report (e.g. `{ cache: "hit" }`, token counts). */
  info?: Record<string, unknown>;
}

/** What an ingest (`HybridRetriever.add`) did. */
export interface IngestResult {
  /** Chunks embedded and written by this call. */
  chunks: number;
  /** Source ids written (new, or a changed version that replaced the previous one). */
  written: string[];
  /** Source ids skipped because the same content version was already indexed. */
  unchanged: string[];
}

/** Anything that answers a query with scored documents. Patterns wrap and compose retrievers. */
export interface Retriever {
  retrieve(query: string, options?: RetrieveOptions): Promise<RetrievalResult>;
}

/**
 * Reorders documents by relevance to a query (e.g. a cross-encoder).
 * Returns at most `k` documents, best first, with `score` replaced by the reranker's score.
 */
export interface Reranker {
  rerank(
    query: string,
    documents: ScoredDocument[],
    options?: CallOptions & { k?: number },
  ): Promise<ScoredDocument[]>;
}
