/**
 * `@ragloom/parent-document`: search small child chunks, return the larger parent chunks they came
 * from; hierarchical (multi-level) chunking, docstores and auto-merging retrieval.
 *
 * The Redis docstore lives in `@ragloom/parent-document/redis` (ioredis is an optional peer).
 * @module @ragloom/parent-document
 */

export * from "./docstores/file-system-docstore.js";
export * from "./docstores/in-memory-docstore.js";
export * from "./docstores/types.js";
export * from "./hierarchical-splitter.js";
export * from "./indexer.js";
export * from "./manifest.js";
export * from "./parent-document-retriever.js";
export * from "./scoring.js";
