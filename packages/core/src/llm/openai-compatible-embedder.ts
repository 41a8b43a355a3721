import { DimensionMismatchError, ServiceError, throwIfAborted, ValidationError } from "../errors/errors.js";
import { l2Normalize } from "../math/vector.js";
import type { CallOptions, Embedder } from "../types/embedder.js";
import { type OpenAICompatibleConnection, pingOpenAICompatible, postJson } from "./http.js";

/** Options of {@link createOpenAICompatibleEmbedder}. */
export interface OpenAICompatibleEmbedderOptions extends OpenAICompatibleConnection {
  /** Length of the vectors the model returns (checked on every reply). */
  dimensions: number;
  /** Texts per `/embeddings` request. @default 64 */
  batchSize?: number;
  /** Requests in flight at once. @default 1 */
  concurrency?: number;
  /** L2-normalise returned vectors client-side (so `normalized` is true). @default true */
  normalize?: boolean;
  /**
   * Send `dimensions` in the request (OpenAI `text-embedding-3-*` shortens vectors; most other
   * servers reject or ignore the field). @default false
   */
  sendDimensions?: boolean;
  /** Prefix of queries (e.g. `"query: "` for E5, BGE's instruction). @default "" */
  queryPrefix?: string;
  /** Prefix of documents (e.g. `"passage: "` for E5). @default "" */
  documentPrefix?: string;
}

/**
 * The `modelId` of an OpenAI-compatible embedder: `<baseURL>#<model>` (without credentials or a
 * trailing slash), since two servers may serve different models under one name; options that
 * change vectors (normalize off, prefixes, `dimensions` when sent) are appended when set.
 */
function embedderId(options: OpenAICompatibleEmbedderOptions, normalize: boolean): string {
  let base = options.baseURL.replace(/\/+$/, "");
  try {
    const url = new URL(base);
    url.username = "";
    url.password = "";
    base = url.href.replace(/\/+$/, "");
  } catch {
    // not a URL: keep it as given
  }
  const extra: string[] = [];
  if (options.sendDimensions) extra.push(`dimensions=${options.dimensions}`);
  if (!normalize) extra.push("raw");
  if (options.queryPrefix || options.documentPrefix)
    extra.push(`prefixes=${JSON.stringify([options.queryPrefix ?? "", options.documentPrefix ?? ""])}`);
  return `${base}#${options.model}${extra.length ? `;${extra.join(";")}` : ""}`;
}

interface EmbeddingResponse {
  data?: Array<{ embedding?: number[] | string; index?: number }>;
}

function decodeEmbedding(e: number[] | string): Float32Array {
  if (typeof e !== "string") return Float32Array.from(e);
  // encoding_format "base64": little-endian float32
  const buf = Buffer.from(e, "base64");
  return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
}

/**
 * An {@link Embedder} over the OpenAI embeddings API (`POST {baseURL}/embeddings`, body
 * `{ model, input: string[], encoding_format: "float" }`), spoken by OpenAI, Ollama, vLLM,
 * LM Studio and llama.cpp servers started with `--embedding`.
 *
 * Texts are sent in batches of `batchSize` (`concurrency` at a time); replies are put back in input
 * order by their `index`. Retries and timeouts as {@link createOpenAICompatibleModel} (timeout per request).
 * `modelId` is `<baseURL>#<model>` (e.g. `http://localhost:11434/v1#all-minilm`), followed by
 * `;`-separated vector options when set (`dimensions=…` when sent, `raw` without normalisation,
 * `prefixes=[…]`); embedding caches key on it.
 * @returns vectors of `dimensions` float32 values, L2-normalised unless `normalize: false`.
 * @throws ValidationError for bad options; DimensionMismatchError when the server returns vectors of
 *   another length; ServiceError (service `embedder`); TimeoutError; AbortError.
 */
export function createOpenAICompatibleEmbedder(
  options: OpenAICompatibleEmbedderOptions,
): Embedder & { ping(options?: { signal?: AbortSignal }): Promise<void> } {
  if (!options?.baseURL) throw new ValidationError("baseURL is required (e.g. http://localhost:11434/v1)");
  if (!options.model) throw new ValidationError("model is required");
  const { dimensions } = options;
  if (!Number.isInteger(dimensions) || dimensions < 1)
    throw new ValidationError(`dimensions must be a positive integer, got ${dimensions}`);
  const batchSize = options.batchSize ?? 64;
  const concurrency = options.concurrency ?? 1;
  if (!(batchSize >= 1)) throw new ValidationError(`batchSize must be >= 1, got ${batchSize}`);
  if (!(concurrency >= 1)) throw new ValidationError(`concurrency must be >= 1, got ${concurrency}`);
  const normalize = options.normalize ?? true;
  const timeoutMs = options.timeoutMs ?? 30_000;

  const embedBatch = async (texts: string[], signal?: AbortSignal): Promise<Float32Array[]> => {
    const body: Record<string, unknown> = { model: options.model, input: texts, encoding_format: "float" };
    if (options.sendDimensions) body.dimensions = dimensions;
    const reply = await postJson<EmbeddingResponse>(options, "/embeddings", body, {
      service: "embedder",
      timeoutMs,
      signal,
    });
    const data = reply.data;
    if (!Array.isArray(data) || data.length !== texts.length) {
      throw new ServiceError(
        "embedder",
        `expected ${texts.length} embeddings, got ${data?.length ?? "none"}`,
        { retryable: false },
      );
    }
    const out: Float32Array[] = new Array(texts.length);
    data.forEach((item, i) => {
      const index = item.index ?? i;
      if (!item.embedding || index < 0 || index >= texts.length) {
        throw new ServiceError("embedder", `malformed embedding at position ${i}`, { retryable: false });
      }
      const v = decodeEmbedding(item.embedding);
      if (v.length !== dimensions)
        throw new DimensionMismatchError(dimensions, v.length, "embedding from the server");
      out[index] = normalize ? l2Normalize(v) : v;
    });
    return out;
  };

  const embedMany = async (texts: string[], signal?: AbortSignal): Promise<Float32Array[]> => {
    if (!Array.isArray(texts)) throw new ValidationError("texts must be an array of strings");
    const batches: string[][] = [];
    for (let i = 0; i < texts.length; i += batchSize) batches.push(texts.slice(i, i + batchSize));
    const results: Float32Array[][] = new Array(batches.length);
    let next = 0;
    const worker = async () => {
      while (next < batches.length) {
        const i = next++;
        throwIfAborted(signal);
        results[i] = await embedBatch(batches[i]!, signal);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, batches.length) }, worker));
    return results.flat();
  };

  const qp = options.queryPrefix ?? "";
  const dp = options.documentPrefix ?? "";
  return {
    modelId: embedderId(options, normalize),
    dimensions,
    normalized: normalize,
    /** Readiness probe (`GET {baseURL}/models`) for `createHealthCheck`. */
    ping: (opts: { signal?: AbortSignal } = {}) =>
      pingOpenAICompatible(options, { service: "embedder", signal: opts.signal }),
    embedDocuments: (texts: string[], opts: CallOptions = {}) =>
      embedMany(dp ? texts.map((t) => dp + t) : texts, opts.signal),
    async embedQuery(text: string, opts: CallOptions = {}) {
      if (typeof text !== "string") throw new ValidationError("query must be a string");
      const [v] = await embedMany([qp + text], opts.signal);
      return v!;
    },
  };
}
