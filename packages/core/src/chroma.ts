/**
 * `@ragloom/core/chroma`: a vector store on a Chroma server (`chromadb` v3 client, an optional
 * peer dependency) and the filter IR → Chroma `where`/`whereDocument` translator.
 * @module @ragloom/core/chroma
 */
export * from "./chroma/chroma-vector-store.js";
export * from "./chroma/translate-filter.js";
