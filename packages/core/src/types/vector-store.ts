import type { Filter } from "../filter/types.js";
import type { Document, ScoredDocument } from "./document.js";
import type { CallOptions } from "./embedder.js";

/** A document plus its embedding, as stored in a vector store. */
export interface VectorRecord extends Document {
  /** Embedding of `text`; its length must equal the store's dimensions. */
  vector: Float32Array | number[];
}

/** Options of {@link VectorStore.query}. */
export interface VectorQueryOptions extends CallOptions {
  /** Number of nearest neighbours to return. */
  k: number;
  /** Metadata filter (filter IR); only matching documents are candidates. */
  filter?: Filter | null;
  /** Also return each hit's stored vector in `vector` (used by compressors to avoid re-embedding). */
  includeVectors?: boolean;
}

/** A query hit; `score` is cosine similarity in [-1, 1]. */
export interface VectorHit extends ScoredDocument {
  vector?: Float32Array;
}

/**
 * Stores documents with their embeddings and answers nearest-neighbour queries.
 *
 * Ids are the caller's: `upsert` with an existing id replaces that record.
 * Implementations throw `DimensionMismatchError` for vectors of the wrong length
 * and `FilterError` for an invalid filter (never an unfiltered search).
 */
export interface VectorStore {
  /** Human-readable kind, e.g. `in-memory` or `chroma`. */
  readonly kind: string;
  /**
   * Identity of the data this store serves (optional): two stores with the same `scope` answer
   * every query alike, e.g. a Chroma server URL, tenant, database and collection. Result caches
   * key on it (through `HybridRetriever.fingerprint`); a store without one is treated as unique
   * to its instance. Wrappers (resilience, caching) pass the inner store's scope through.
   */
  readonly scope?: string;
  /** Inserts or replaces records by id. */
  upsert(records: VectorRecord[], options?: CallOptions): Promise<void>;
  /** Deletes records by id; unknown ids are ignored. */
  delete(ids: string[], options?: CallOptions): Promise<void>;
  /** Number of stored records. */
  count(options?: CallOptions): Promise<number>;
  /** Top-k records by cosine similarity to `vector`, best first. */
  query(vector: Float32Array | number[], options: VectorQueryOptions): Promise<VectorHit[]>;
  /** Fetches records by id (missing ids are skipped), with vectors. */
  get(ids: string[], options?: CallOptions): Promise<VectorRecord[]>;
  /** Deletes every record matching the filter and returns how many were deleted (optional). */
  deleteWhere?(filter: Filter, options?: CallOptions): Promise<number>;
  /**
   * Iterates over every stored document (text and metadata, no vectors) in pages of up to
   * `pageSize` (optional), e.g. to rebuild a BM25 index next to a persistent store.
   */
  scan?(options?: CallOptions & { pageSize?: number }): AsyncIterable<Document[]>;
  /** Cheap readiness probe; throws when the backing service is unreachable. */
  ping?(options?: CallOptions): Promise<void>;
}
