import type { EventSinkLike } from "../events/event-bus.js";
import type { CallOptions, Embedder } from "../types/embedder.js";
import type { CacheStore } from "./cache-store.js";
import { hashText } from "./keys.js";
import { createTieredCache, type TieredCache } from "./tiered-cache.js";

/** Options of {@link createEmbeddingCache}. */
export interface EmbeddingCacheOptions {
  /** In-process level, or `false`. @default an LRU of 10,000 vectors (≈15 MB at 384-d) */
  l1?: CacheStore<Float32Array> | false;
  /** Shared level, e.g. `createRedisCacheStore({ codec: float32Codec })`. @default none */
  l2?: CacheStore<Float32Array>;
  /** Time to live of a vector in milliseconds; `0` = none (embeddings of a fixed model do not go stale). @default 0 */
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
    ttlMs: options.ttlMs,
    events: options.events,
  });
  const ns = options.namespace ?? "emb";
  return Object.assign(cache, {
    key: (modelId: string, kind: "query" | "document", text: string) =>
      `${ns}:${modelId}:${kind === "query" ? "q" : "d"}:${hashText(text)}`,
  });
}

/**
 * Wraps an {@link Embedder} with an embedding cache. Query and document embeddings are cached
 * separately (models such as E5 embed them differently); a batch costs one L1 pass, one L2 round
 * trip (MGET) for the L1 misses, one embedder call for the remaining distinct texts, and one L2
 * write (pipeline). Duplicate texts within a batch are embedded once.
 * @returns an Embedder with the same `modelId`, `dimensions` and `normalized`.
 */
export function withCache(embedder: Embedder, cache: EmbeddingCache = createEmbeddingCache()): Embedder {
  const lookup = async (kind: "query" | "document", texts: string[], opts: CallOptions = {}) => {
    const keys = texts.map((t) => cache.key(embedder.modelId, kind, t));
    const found = await cache.getMany(keys, opts);
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
