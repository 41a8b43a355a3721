import { Embeddings, type EmbeddingsInterface, type EmbeddingsParams } from "@langchain/core/embeddings";
import type { CallOptions, Embedder } from "@ragloom/core";
import { DimensionMismatchError, l2Normalize, ServiceError, ValidationError } from "@ragloom/core";
import { raceAbort } from "./abort.js";

/** Options of {@link fromLangChainEmbeddings}. */
export interface FromLangChainEmbeddingsOptions {
  /** Stable id of the model (e.g. `text-embedding-3-small`), used in cache keys and fingerprints. */
  modelId: string;
  /**
   * Length of every vector. @default learned from the first embedding call; reading `dimensions`
   * before one throws a `ValidationError`, so pass it when a store needs it up front
   */
  dimensions?: number;
  /** L2-normalise every vector (then `normalized` is true). @default false */
  normalize?: boolean;
  /**
   * Declares that the model already returns L2-normalised vectors (e.g. OpenAI's), so that
   * consumers may use dot products. @default the value of `normalize`
   */
  normalized?: boolean;
}

/**
 * Turns LangChain.js embeddings (`OpenAIEmbeddings`, `OllamaEmbeddings`,
 * `HuggingFaceTransformersEmbeddings`, any `EmbeddingsInterface`) into a ragloom {@link Embedder},
 * to index and query with ragloom retrievers.
 *
 * Vectors become `Float32Array`s (float64 values rounded to float32). The LangChain model
 * batches as it is configured to. LangChain embeddings take no signal, so an aborted `signal`
 * makes the call reject at once with a ragloom `AbortError` while the request underneath runs on.
 * `countTokens` is absent: ragloom splitters then measure chunks in characters.
 *
 * @example
 * const embedder = fromLangChainEmbeddings(new OpenAIEmbeddings({ model: "text-embedding-3-small" }), {
 *   modelId: "text-embedding-3-small",
 *   dimensions: 1536,
 * });
 * @throws ValidationError for an empty `modelId`, a `dimensions` that is not a positive integer,
 *   or an `embeddings` without `embedDocuments` and `embedQuery`. Its calls throw
 *   `ValidationError` for input that is not an array of strings (or a string),
 *   `DimensionMismatchError` for a vector of another length, `ServiceError` (`service`
 *   `"embedder"`, not retryable) for a wrong number of vectors or non-finite values, and the
 *   LangChain model's own errors.
 */
export function fromLangChainEmbeddings(
  embeddings: EmbeddingsInterface,
  options: FromLangChainEmbeddingsOptions,
): Embedder {
  if (typeof embeddings?.embedDocuments !== "function" || typeof embeddings?.embedQuery !== "function")
    throw new ValidationError("embeddings must have embedDocuments and embedQuery methods");
  const { modelId } = options;
  if (typeof modelId !== "string" || modelId.length === 0)
    throw new ValidationError("modelId must be a non-empty string");
  let dimensions = options.dimensions;
  if (dimensions !== undefined && !(Number.isInteger(dimensions) && dimensions > 0))
    throw new ValidationError(`dimensions must be a positive integer, got ${dimensions}`);
  const normalize = options.normalize ?? false;
  const normalized = options.normalized ?? normalize;

  const toVector = (raw: unknown, where: string): Float32Array => {
    if (!Array.isArray(raw) && !(raw instanceof Float32Array) && !(raw instanceof Float64Array))
      throw new ServiceError("embedder", `${modelId} returned no vector for ${where}`, { retryable: false });
    const v = Float32Array.from(raw as ArrayLike<number>);
    if (dimensions === undefined) {
      if (v.length === 0)
        throw new ServiceError("embedder", `${modelId} returned an empty vector for ${where}`, {
          retryable: false,
        });
      dimensions = v.length;
    }
    if (v.length !== dimensions)
      throw new DimensionMismatchError(dimensions, v.length, `embedding of ${where}`);
    for (const x of v)
      if (!Number.isFinite(x))
        throw new ServiceError("embedder", `${modelId} returned a non-finite value for ${where}`, {
          retryable: false,
        });
    return normalize ? l2Normalize(v) : v;
  };

  return {
    modelId,
    get dimensions(): number {
      if (dimensions === undefined)
        throw new ValidationError(
          `the dimensions of ${modelId} are unknown until its first embedding: pass dimensions to fromLangChainEmbeddings`,
        );
      return dimensions;
    },
    normalized,
    async embedDocuments(texts: string[], callOptions: CallOptions = {}): Promise<Float32Array[]> {
      if (!Array.isArray(texts) || !texts.every((t) => typeof t === "string"))
        throw new ValidationError("texts must be an array of strings");
      if (texts.length === 0) return [];
      const raw = await raceAbort(() => embeddings.embedDocuments(texts), callOptions.signal);
      if (!Array.isArray(raw) || raw.length !== texts.length)
        throw new ServiceError(
          "embedder",
          `${modelId} returned ${Array.isArray(raw) ? raw.length : "no"} vectors for ${texts.length} texts`,
          { retryable: false },
        );
      return raw.map((v, i) => toVector(v, `text ${i}`));
    },
    async embedQuery(text: string, callOptions: CallOptions = {}): Promise<Float32Array> {
      if (typeof text !== "string") throw new ValidationError("text must be a string");
      const raw = await raceAbort(() => embeddings.embedQuery(text), callOptions.signal);
      return toVector(raw, "the query");
    },
  };
}

/**
 * LangChain.js `Embeddings` backed by a ragloom {@link Embedder} (e.g. the local ONNX
 * `createTransformersEmbedder()`), for LangChain vector stores, caches and chains. Vectors are
 * the embedder's (`number[]` copies of its `Float32Array`s); `embedQuery` applies the embedder's
 * query handling (such as E5/BGE query prefixes).
 */
export class RagloomEmbeddings extends Embeddings<number[]> {
  /** The ragloom embedder computing the vectors. */
  readonly embedder: Embedder;

  /**
   * @param embedder - The ragloom embedder.
   * @param params - LangChain `AsyncCaller` options (`maxConcurrency`, `maxRetries`,
   *   `onFailedAttempt`) applied around each call. @default `{ maxRetries: 0 }` (ragloom
   *   embedders handle their own retries)
   */
  constructor(embedder: Embedder, params: EmbeddingsParams = {}) {
    super({ maxRetries: 0, ...params });
    if (typeof embedder?.embedDocuments !== "function" || typeof embedder?.embedQuery !== "function")
      throw new ValidationError("embedder must be a ragloom Embedder");
    this.embedder = embedder;
  }

  /** The embedder's model id. */
  get modelId(): string {
    return this.embedder.modelId;
  }

  /** Length of every vector. */
  get dimensions(): number {
    return this.embedder.dimensions;
  }

  /** Embeds passages: `n` texts to `n` vectors of length `dimensions`, in input order. */
  async embedDocuments(documents: string[]): Promise<number[][]> {
    const vectors = await this.caller.call(() => this.embedder.embedDocuments(documents));
    return vectors.map((v) => Array.from(v));
  }

  /** Embeds one search query to a vector of length `dimensions`. */
  async embedQuery(document: string): Promise<number[]> {
    return Array.from(await this.caller.call(() => this.embedder.embedQuery(document)));
  }
}

/**
 * Wraps a ragloom {@link Embedder} as LangChain.js `Embeddings` (see {@link RagloomEmbeddings}).
 * @example
 * const embeddings = toLangChainEmbeddings(await createTransformersEmbedder());
 * await MemoryVectorStore.fromDocuments(docs, embeddings);
 * @throws ValidationError when `embedder` has no `embedDocuments` and `embedQuery`.
 */
export function toLangChainEmbeddings(embedder: Embedder, params?: EmbeddingsParams): RagloomEmbeddings {
  return new RagloomEmbeddings(embedder, params);
}
