/**
 * `@ragloom/core/hnsw`: approximate nearest-neighbour search on an HNSW graph (`usearch`, an
 * optional peer dependency with prebuilt native binaries), with the `VectorStore` contract.
 * @module @ragloom/core/hnsw
 */

export * from "./hnsw/create-hnsw-vector-store.js";
export type { HnswParams } from "./hnsw/hnsw-file.js";
export type { HnswVectorStoreLoadOptions, HnswVectorStoreOptions } from "./hnsw/hnsw-options.js";
export * from "./hnsw/hnsw-vector-store.js";
export type { UsearchIndex, UsearchModule } from "./hnsw/usearch-module.js";
