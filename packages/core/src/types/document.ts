/**
 * A metadata value. Arrays must be non-empty and hold one primitive type
 * (this is what both the in-memory filter evaluator and Chroma accept).
 */
export type MetadataValue = string | number | boolean | string[] | number[] | boolean[];

/** Flat metadata attached to a document or chunk. Keys are attribute names. */
export type Metadata = Record<string, MetadataValue>;

/**
 * A unit of text to index or return: a source document or one of its chunks.
 *
 * `id` is chosen by the caller and is stable: re-adding a document with the same
 * id replaces it (ingestion is idempotent).
 */
export interface Document {
  /** Caller-chosen, stable identifier. */
  id: string;
  /** The text that is embedded and/or indexed lexically. */
  text: string;
  /** Flat metadata used by filters; defaults to `{}` when omitted at creation. */
  metadata: Metadata;
}

/**
 * A document returned by a search, with a score. Higher is always better.
 *
 * What the score means depends on who produced it and is documented there:
 * cosine similarity in [-1, 1] for dense search, a BM25 score in [0, ∞) for lexical
 * search, a fused rank score for hybrid search, a relevance score for rerankers.
 */
export interface ScoredDocument extends Document {
  score: number;
}
