export * from "./http.js";
export * from "./openai-compatible-embedder.js";
export * from "./openai-compatible-model.js";
