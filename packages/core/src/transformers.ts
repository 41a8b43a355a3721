/**
 * `@ragloom/core/transformers`: local ONNX sentence embeddings and cross-encoder reranking with
 * `@huggingface/transformers` (an optional peer dependency, loaded only when
 * {@link createTransformersEmbedder} or {@link createCrossEncoderReranker} is called).
 * @module @ragloom/core/transformers
 */

export {
  defaultModelDir,
  type ModelLocationTried,
  ModelNotFoundError,
  type ModelSource,
} from "./embeddings/model-location.js";
export * from "./embeddings/transformers-embedder.js";
export * from "./rerankers/cross-encoder.js";
