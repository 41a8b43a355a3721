/**
 * `@ragloom/compression`: contextual compression for ragloom. Every compressor is a
 * {@link DocumentCompressor} (`compress(documents, query, { signal }) => documents`); compose them
 * with {@link pipeline} and put them behind a retriever with {@link withCompression}.
 * @module @ragloom/compression
 */
export * from "./embeddings-filter.js";
export { type LLMCompressorOptions, mapConcurrent } from "./llm-call.js";
export * from "./llm-extractor.js";
export * from "./llm-filter.js";
export * from "./pipeline.js";
export * from "./redundancy-filter.js";
export * from "./reranker-compressor.js";
export type { SelectionScope, SentenceSelection } from "./select.js";
export * from "./sentence-embeddings.js";
export * from "./sentence-extractor.js";
export { intlSentenceSplitter, type SentenceSplitter } from "./sentences.js";
export * from "./token-budget.js";
export * from "./tokenizers.js";
export type * from "./types.js";
export type { VectorStats } from "./vectors.js";
export * from "./warnings.js";
export * from "./with-compression.js";
