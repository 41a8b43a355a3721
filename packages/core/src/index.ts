/**
 * `@ragloom/core`: the retriever core of ragloom.
 *
 * Heavy integrations live behind subpath exports and are optional peers:
 * `@ragloom/core/transformers` (local ONNX embeddings), `@ragloom/core/chroma`,
 * `@ragloom/core/redis`, `@ragloom/core/prometheus`, `@ragloom/core/llama-cpp`,
 * `@ragloom/core/hnsw` and `@ragloom/core/pgvector`.
 * @module @ragloom/core
 */

export * from "./cache/index.js";
export * from "./embeddings/micro-batching.js";
export * from "./errors/errors.js";
export * from "./events/index.js";
export * from "./filter/builders.js";
export * from "./filter/evaluate.js";
export * from "./filter/normalize.js";
export * from "./filter/types.js";
export * from "./filter/validate.js";
export * from "./fusion/fusion.js";
export * from "./ingest/index.js";
export * from "./lexical/bm25.js";
export * from "./lexical/stop-words.js";
export * from "./lexical/tokenize.js";
export * from "./llm/index.js";
export * from "./math/top-k.js";
export * from "./math/vector.js";
export * from "./observability/index.js";
export * from "./resilience/index.js";
export * from "./retriever/create-retriever.js";
export * from "./splitter/recursive-splitter.js";
export * from "./stores/in-memory-vector-store.js";
export type * from "./types/document.js";
export type * from "./types/embedder.js";
export type * from "./types/language-model.js";
export type * from "./types/lexical-index.js";
export type * from "./types/retriever.js";
export type * from "./types/vector-store.js";
