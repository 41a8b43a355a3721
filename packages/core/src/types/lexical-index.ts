import type { Filter } from "../filter/types.js";
import type { Document, ScoredDocument } from "./document.js";
import type { CallOptions } from "./embedder.js";

/** Options of {@link LexicalIndex.search}. */
export interface LexicalSearchOptions extends CallOptions {
  /** How many documents to return at most: a non-negative integer. */
  k: number;
  /** Only documents matching this filter (metadata, `$document` for the text) are returned. */
  filter?: Filter | null;
}

/**
 * A full-text (keyword) index: the lexical side of a hybrid retriever. `BM25Index` (in process)
 * and `PgLexicalIndex` (PostgreSQL full-text search, `@ragloom/core/pgvector`) implement it.
 *
 * Methods may answer synchronously or with a promise (callers await either), so an in-process
 * index keeps a synchronous hot path and a remote one can be async. Ids are the caller's: `add`
 * with an existing id replaces that document. Persistence is the implementation's own (a
 * `save`/`load` pair, or a database).
 */
export interface LexicalIndex {
  /** Human-readable kind, e.g. `postgres-fts` (optional). */
  readonly kind?: string;
  /**
   * Identity of the data this index serves (optional), as `VectorStore.scope`: result
   * caches key on it; an index without one is treated as unique to its instance.
   */
  readonly scope?: string;
  /** Adds or replaces documents by id. */
  add(documents: Document[], options?: CallOptions): void | Promise<void>;
  /** Deletes documents by id; unknown ids are ignored. */
  delete(ids: string[], options?: CallOptions): void | Promise<void>;
  /** Deletes every document matching the filter; returns how many. Throws `FilterError` for a bad filter. */
  deleteWhere(filter: Filter, options?: CallOptions): number | Promise<number>;
  /**
   * Top-k documents for `query`, best first; `score` is the index's relevance score (higher is
   * better; say in the implementation what it is). Documents that share no term with the query
   * are not returned, so fewer than `k` may come back. Throws `ValidationError` for a bad `k`,
   * `FilterError` for a bad filter.
   */
  search(query: string, options: LexicalSearchOptions): ScoredDocument[] | Promise<ScoredDocument[]>;
}
