import type { CallOptions, Document } from "@ragloom/core";

/** Options of {@link DocumentCompressor.compress}. */
export interface CompressOptions extends CallOptions {
  /**
   * Receives the warnings of this call, for compressors created without an `onWarning` of their
   * own (an explicit `onWarning` of the compressor wins). `pipeline` and `withCompression` pass
   * theirs down here, so that no stage inside them falls back to `console.warn`.
   * @default the compressor's `onWarning`, else `console.warn`
   */
  onWarning?: WarningHandler;
}

/**
 * A document as compressors see it: any {@link Document} (a `ScoredDocument` keeps its `score`),
 * optionally carrying its stored embedding in `vector` (as vector-store hits do with
 * `includeVectors: true`), which embedding-based compressors reuse instead of re-embedding.
 */
export type CompressibleDocument = Document & {
  score?: number;
  vector?: Float32Array | number[];
};

/**
 * Shrinks the documents retrieved for a query: drops whole documents and/or shortens their text.
 *
 * Contract shared by every compressor of this package:
 * - returns documents in their input order (except the reranker compressor, which says so),
 *   with `id`, `metadata` and every other field unchanged except `text`;
 * - a document whose `text` was shortened loses its `vector` (it no longer matches the text);
 * - never mutates its input;
 * - rejects with the signal's reason (an `AbortError` by default) when `signal` aborts.
 */
export interface DocumentCompressor {
  /** Short human-readable name, e.g. `embeddings-filter(k=5)`, used in reports. */
  readonly name: string;
  /**
   * @param documents - documents to compress, best first if they come from a retriever.
   * @param query - the user's query (non-empty).
   * @returns the compressed documents, a subset (by id) of the input, in input order.
   */
  compress<T extends CompressibleDocument>(
    documents: T[],
    query: string,
    options?: CompressOptions,
  ): Promise<T[]>;
}

/** Counts tokens of a text with one named tokenizer. */
export interface Tokenizer {
  /** Name reported next to counts, e.g. `tiktoken:cl100k_base` or `embedder:Xenova/all-MiniLM-L6-v2`. */
  readonly name: string;
  /** Number of tokens of `text`, without special tokens. */
  count(text: string): number;
}

/** A non-fatal event worth telling the caller about: a changed result that was not asked for. */
export interface CompressionWarning {
  /** `name` of the compressor that emits it. */
  compressor: string;
  /**
   * Machine-readable kind:
   * - `llm-unparsable`: the model's answer could not be parsed; the safe default was applied;
   * - `llm-error` / `llm-timeout`: the model call failed or timed out; the safe default was applied;
   * - `budget-too-small`: a sentence longer than the whole token budget was left out;
   * - `vector-ignored`: a carried vector had the wrong length and the text was re-embedded.
   */
  code: "llm-unparsable" | "llm-error" | "llm-timeout" | "budget-too-small" | "vector-ignored";
  message: string;
  documentId?: string;
  cause?: unknown;
}

/** Receives {@link CompressionWarning}s. */
export type WarningHandler = (warning: CompressionWarning) => void;
