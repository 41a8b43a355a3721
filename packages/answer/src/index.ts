/**
 * `@ragloom/answer`: the "G" of RAG. `createAnswerer` retrieves, optionally compresses, packs the
 * documents into a token budget as numbered sources, prompts a model (streamed when it can), and
 * verifies the `[n]` citations it writes (and, with `quotes: true`, the quotes before them).
 * @module @ragloom/answer
 */
export * from "./answer-stream.js";
export type * from "./answerer-options.js";
export * from "./citations/citation-stream.js";
export * from "./citations/json-citations.js";
export * from "./citations/quotes.js";
export * from "./context/pack.js";
export * from "./create-answerer.js";
export * from "./events.js";
export * from "./grounding.js";
export * from "./prompt/default-prompt.js";
export * from "./prompt/resolve-prompt.js";
export type * from "./types.js";
