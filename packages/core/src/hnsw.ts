/**
 * `@ragloom/core/hnsw`: approximate nearest-neighbour search on an HNSW graph (`usearch`, an
 * optional peer dependency with prebuilt native binaries), with the `VectorStore` contract.
 * @module
 */
export * from "./hnsw/hnsw-vector-store.js";
export type { UsearchIndex, UsearchModule } from "./hnsw/usearch-module.js";
