/**
 * `@ragloom/loaders`: documents from real files (Markdown with front matter, HTML main content,
 * PDF pages, plain text), directories with include/exclude globs, a size limit and `.gitignore`
 * awareness, a structure-aware splitter (headings and pages first, then the recursive splitter)
 * and incremental re-indexing by content hash.
 * @module @ragloom/loaders
 */
export * from "./decode.js";
export * from "./directory.js";
export * from "./errors.js";
export * from "./html.js";
export * from "./loaders.js";
export * from "./markdown.js";
export * from "./metadata.js";
export * from "./pdf.js";
export * from "./structure-aware-splitter.js";
export * from "./sync.js";
export * from "./text.js";
export type * from "./types.js";
