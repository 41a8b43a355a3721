import { DimensionMismatchError } from "../errors/errors.js";
import type { EventSinkLike } from "../events/event-bus.js";
import type { CallOptions, Embedder } from "../types/embedder.js";
import { CacheEntryError } from "./cache-entry-error.js";
import type { CacheStore } from "./cache-store.js";
import { hashText } from "./keys.js";
import { createTieredCache, type TieredCache } from "./tiered-cache.js";

/** Default time to live of a cached embedding: 7 days, in milliseconds. */
export const DEFAULT_EMBEDDING_TTL_MS = 7 * 24 * 3_600_000;

/** Options of {@link createEmbeddingCache}. */
export interface EmbeddingCacheOptions {
  /** In-process level, or `false`. @default an LRU of 10,000 vectors (≈15 MB at 384-d) */
  l1?: CacheStore<Float32Array> | false;
  /** Shared level, e.g. `createRedisCacheStore({ codec: float32Codec })`. @default none */
  l2?: CacheStore<Float32Array>;
  /**
   * Time to live of a vector in milliseconds (both levels); `0` = none. Vectors of one `modelId`
   * do not go stale, but a finite life bounds what a shared Redis keeps for texts no longer asked
   * and for models no longer used; a hot text is re-embedded once per period.
   * @default 604800000 (7 days)
   */
  ttlMs?: number;
  /** Key prefix, to separate deployments sharing one Redis. @default "emb" */
  namespace?: string;
  events?: EventSinkLike;
}

/** Where an embedding cache keeps vectors, keyed by model id + kind + SHA-256 of the text. */
export interface EmbeddingCache extends TieredCache<Float32Array> {
  /** Key of `text` embedded by `modelId` as a `query` or a `document`. */
  key(modelId: string, kind: "query" | "document", text: string): string;
}

/** Creates the vector cache used by {@link withCache}. */
export function createEmbeddingCache(options: EmbeddingCacheOptions = {}): EmbeddingCache {
  const cache = createTieredCache<Float32Array>({
    name: "embedding",
    l1: options.l1,
    l2: options.l2,
    ttlMs: options.ttlMs ?? DEFAULT_EMBEDDING_TTL_MS,
    events: options.events,
  });
  const ns = options.namespace ?? "emb";
  return Object.assign(cache, {
    key: (modelId: string, kind: "query" | "document", text: string) =>
      `${ns}:${modelId}:${kind === "query" ? "q" : "d"}:${hashText(text)}`,
  });
}

/** Why a cached vector cannot be used for `embedder`, or `undefined` when it can. */
function unusable(key: string, v: unknown, dimensions: number): Error | undefined {
  if (!(v instanceof Float32Array)) return new CacheEntryError(key, "shape", "not a Float32Array");
  if (v.length !== dimensions)
    return new DimensionMismatchError(dimensions, v.length, `cached embedding ${key}`);
  for (let i = 0; i < v.length; i++) {
    if (!Number.isFinite(v[i]!)) return new CacheEntryError(key, "shape", `non-finite value at ${i}`);
  }
  return undefined;
}

/**
 * Wraps an {@link Embedder} with an embedding cache, keyed by the embedder's `modelId`. Query and
 * document embeddings are cached separately (models such as E5 embed them differently); a batch
 * costs one L1 pass, one L2 round trip (MGET) for the L1 misses, one embedder call for the
 * remaining distinct texts, and one L2 write (pipeline). Duplicate texts within a batch are
 * embedded once. A cached vector that is not `dimensions` finite floats (corrupted, or written
 * by another model under the same id) is a miss: it is deleted, reported as `cache:error`, and
 * the text is embedded again.
 * @returns an Embedder with the same `modelId`, `dimensions` and `normalized`.
 */
export function withCache(embedder: Embedder, cache: EmbeddingCache = createEmbeddingCache()): Embedder {
  const lookup = async (kind: "query" | "document", texts: string[], opts: CallOptions = {}) => {
    const keys = texts.map((t) => cache.key(embedder.modelId, kind, t));
    const found = await cache.getMany(keys, {
      signal: opts.signal,
      check: (v, key) => unusable(key, v, embedder.dimensions),
    });
    const todo = new Map<string, string>(); // key -> text
    found.forEach((v, i) => {
      if (v === undefined) todo.set(keys[i]!, texts[i]!);
    });
    if (todo.size) {
      const missingKeys = [...todo.keys()];
      const missingTexts = [...todo.values()];
      const vectors =
        kind === "query"
          ? [await embedder.embedQuery(missingTexts[0]!, opts)]
          : await embedder.embedDocuments(missingTexts, opts);
      const fresh = new Map(missingKeys.map((k, i) => [k, vectors[i]!] as const));
      await cache.setMany([...fresh]);
      found.forEach((v, i) => {
        if (v === undefined) found[i] = fresh.get(keys[i]!);
      });
    }
    return found as Float32Array[];
  };
  const wrapped: Embedder = {
    modelId: embedder.modelId,
    dimensions: embedder.dimensions,
    normalized: embedder.normalized,
    embedDocuments: (texts, opts) => lookup("document", texts, opts),
    async embedQuery(text, opts) {
      return (await lookup("query", [text], opts))[0]!;
    },
  };
  if (embedder.countTokens) wrapped.countTokens = (t) => embedder.countTokens!(t);
  if (embedder.dispose) wrapped.dispose = () => embedder.dispose!();
  return wrapped;
}
