/**
 * `@ragloom/core/llama-cpp`: a {@link LanguageModel} running a GGUF model in process with
 * `node-llama-cpp` (an optional peer dependency, loaded only when {@link createLlamaCppModel} is
 * called): streaming, abort, and JSON-schema grammars, with no server at all.
 * @module @ragloom/core/llama-cpp
 */

export * from "./llama-cpp/llama-cpp-model.js";
export type { LanguageModel } from "./types/language-model.js";
