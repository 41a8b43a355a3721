export * from "./event-stream.js";
export * from "./http.js";
export * from "./openai-compatible-embedder.js";
export * from "./openai-compatible-model.js";
