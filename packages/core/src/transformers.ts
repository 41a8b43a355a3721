/**
 * `@ragloom/core/transformers`: local ONNX sentence embeddings with `@huggingface/transformers`
 * (an optional peer dependency, loaded only when {@link createTransformersEmbedder} is called).
 * @module
 */
export * from "./embeddings/transformers-embedder.js";
