/**
 * `@ragloom/core/pgvector`: PostgreSQL back-ends through node-postgres (`pg`, an optional peer
 * dependency): `PgVectorStore` (pgvector, HNSW index) and `PgLexicalIndex` (full-text search),
 * and the filter IR → parameterised SQL translator.
 * @module @ragloom/core/pgvector
 */
export * from "./pgvector/pg-connection.js";
export * from "./pgvector/pg-lexical-index.js";
export * from "./pgvector/pg-vector-store.js";
export * from "./pgvector/translate-filter.js";
