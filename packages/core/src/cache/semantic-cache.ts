import { randomUUID } from "node:crypto";
import { ValidationError } from "../errors/errors.js";
import { type EventSinkLike, emitEvent } from "../events/event-bus.js";
import type { Filter } from "../filter/types.js";
import { cosineSimilarity, dot } from "../math/vector.js";
import type { Embedder } from "../types/embedder.js";
import type { RetrievalResult, RetrieveOptions, Retriever } from "../types/retriever.js";
import { canonicalFilter, hashText, stableStringify } from "./keys.js";
import { retrieverScope } from "./retriever-scope.js";
import { createMemorySemanticStore, type SemanticCacheStore } from "./semantic-cache-store.js";

/**
 * Default largest cosine distance (1 − cosine similarity) of a hit. Conservative on purpose:
 * LangChain's RedisSemanticCache uses 0.2, GPTCache a similarity of 0.8 (distance 0.2); with
 * all-MiniLM-L6-v2 claims that differ in one word ("increases" / "decreases") are often closer than
 * 0.1, so tune it on your own queries.
 */
export const DEFAULT_SEMANTIC_MAX_DISTANCE = 0.1;

/** Options of {@link createSemanticCache}. */
export interface SemanticCacheOptions {
  /** Embeds queries (wrap it with `withCache` so the retriever does not embed the query twice). */
  embedder: Embedder;
  /** Back-end. @default an in-process store, 1,000 entries per scope */
  store?: SemanticCacheStore;
  /**
   * Largest cosine distance d = 1 − cos(q, q') in [0, 2] at which a cached query answers a new one
   * (0 = the same direction only; 2 = anything). @default 0.1 ({@link DEFAULT_SEMANTIC_MAX_DISTANCE})
   */
  maxDistance?: number;
  /** Time to live of an entry in milliseconds, checked on every hit; `0` = none. @default 3600000 (1 hour) */
  ttlMs?: number;
  /** Namespace of entries when a call gives none. @default "default" */
  namespace?: string;
  events?: EventSinkLike;
}

/** Scope and extras of one look-up or store. */
export interface SemanticScope {
  /** Metadata filter of the retrieval: part of the scope. */
  filter?: Filter | null;
  /** `k` of the retrieval: part of the scope. @default 10 */
  k?: number;
  /** Index version: part of the scope. @default 0 */
  version?: string | number;
  /** @default the cache's namespace */
  namespace?: string;
  /** Other call options that change results (e.g. a retriever's `mode`): part of the scope. @default {} */
  extra?: Record<string, unknown>;
  /**
   * Which retriever's results these are (`withSemanticCache` passes its scope: the retriever's
   * fingerprint and/or the `scope` option): part of the scope. @default none
   */
  source?: string;
  signal?: AbortSignal;
  /** The query embedding, when already computed. */
  vector?: Float32Array;
}

/** A semantic-cache hit. */
export interface SemanticHit {
  result: RetrievalResult;
  /** The cached query that answered. */
  query: string;
  /** Its cosine distance to the new query. */
  distance: number;
}

/** A cache of retrieval results keyed by query meaning rather than spelling. */
export interface SemanticCache {
  readonly maxDistance: number;
  /** The closest live entry within `maxDistance` in the scope, plus the query vector used. */
  lookup(query: string, scope?: SemanticScope): Promise<{ hit?: SemanticHit; vector: Float32Array }>;
  /** Stores `result` for `query`. @returns the entry id */
  store(
    query: string,
    result: RetrievalResult,
    scope?: SemanticScope & { tags?: string[]; ttlMs?: number },
  ): Promise<string>;
  /** Removes a namespace or every entry with a tag; returns how many were removed. */
  invalidate(selector: { namespace?: string; tag?: string }): Promise<number>;
  stats(): { hits: number; misses: number; expired: number; errors: number; hitRatio: number };
}

/**
 * Creates a semantic cache (as in GPTCache, Bang 2023, and LangChain's RedisSemanticCache): a new
 * query's embedding is compared by cosine distance with the cached queries of the same scope
 * (namespace + embedder model + source retriever + filter + k + index version + other options);
 * the nearest one within `maxDistance` answers. Linear
 * scan: O(entries per scope · dimensions) per look-up. Expired entries are removed when met.
 * A failing store is reported (`cache:error`) and treated as a miss.
 * @throws ValidationError for a `maxDistance` outside [0, 2].
 */
export function createSemanticCache(options: SemanticCacheOptions): SemanticCache {
  const { embedder, events } = options;
  const store = options.store ?? createMemorySemanticStore();
  const maxDistance = options.maxDistance ?? DEFAULT_SEMANTIC_MAX_DISTANCE;
  if (!(maxDistance >= 0 && maxDistance <= 2))
    throw new ValidationError(`maxDistance must be in [0, 2], got ${maxDistance}`);
  const ttlMs = options.ttlMs ?? 3_600_000;
  const defaultNs = options.namespace ?? "default";
  const counters = { hits: 0, misses: 0, expired: 0, errors: 0 };
  const scopeOf = (s: SemanticScope = {}) => {
    const ns = s.namespace ?? defaultNs;
    if (ns.includes("|")) throw new ValidationError(`namespace must not contain "|": ${ns}`);
    // the embedder's model is part of the scope: vectors of two models are not comparable
    return `${ns}|${hashText(
      JSON.stringify([
        embedder.modelId,
        s.source ?? null,
        canonicalFilter(s.filter),
        s.k ?? 10,
        String(s.version ?? 0),
        stableStringify(s.extra ?? {}),
      ]),
    )}`;
  };
  const similarity = embedder.normalized ? dot : cosineSimilarity;
  const miss = (distance?: number) => {
    counters.misses++;
    emitEvent(events, "cache:miss", { cache: "semantic", distance });
  };

  return {
    maxDistance,
    async lookup(query, s = {}) {
      const scope = scopeOf(s);
      const vector = s.vector ?? (await embedder.embedQuery(query, { signal: s.signal }));
      try {
        const now = Date.now();
        const candidates = await store.candidates(scope, { signal: s.signal });
        const dead = candidates.filter((c) => c.expiresAt && c.expiresAt <= now).map((c) => c.id);
        if (dead.length) {
          counters.expired += dead.length;
          emitEvent(events, "cache:evict", { cache: "semantic", reason: "expire", count: dead.length });
          await store.remove(scope, dead);
        }
        let best: { id: string; distance: number } | undefined;
        for (const c of candidates) {
          if (c.expiresAt && c.expiresAt <= now) continue;
          const distance = 1 - similarity(vector, c.vector);
          if (!best || distance < best.distance) best = { id: c.id, distance };
        }
        if (!best || best.distance > maxDistance) {
          miss(best?.distance);
          return { vector };
        }
        const entry = await store.load(scope, best.id);
        if (!entry) {
          miss(best.distance);
          return { vector };
        }
        counters.hits++;
        emitEvent(events, "cache:hit", { cache: "semantic", distance: best.distance });
        return { vector, hit: { result: entry.result, query: entry.query, distance: best.distance } };
      } catch (error) {
        counters.errors++;
        emitEvent(events, "cache:error", { cache: "semantic", error });
        miss();
        return { vector };
      }
    },
    async store(query, result, s = {}) {
      const scope = scopeOf(s);
      const vector = s.vector ?? (await embedder.embedQuery(query, { signal: s.signal }));
      const ttl = s.ttlMs ?? ttlMs;
      const id = randomUUID();
      try {
        await store.add(scope, {
          id,
          query,
          vector,
          result,
          expiresAt: ttl > 0 ? Date.now() + ttl : 0,
          tags: s.tags ?? [],
        });
      } catch (error) {
        counters.errors++;
        emitEvent(events, "cache:error", { cache: "semantic", error });
      }
      return id;
    },
    async invalidate(selector) {
      const n = await store.invalidate(selector);
      if (n) emitEvent(events, "cache:evict", { cache: "semantic", reason: "invalidate", count: n });
      return n;
    },
    stats() {
      const total = counters.hits + counters.misses;
      return { ...counters, hitRatio: total ? counters.hits / total : 0 };
    },
  };
}

/** Options of {@link withSemanticCache}. */
export interface WithSemanticCacheOptions {
  /** Namespace of a call (e.g. a tenant or app id). @default the cache's namespace */
  namespace?: string | ((query: string, options: RetrieveOptions) => string);
  /** Tags of stored entries. @default [] */
  tags?: string[] | ((query: string, options: RetrieveOptions) => string[]);
  /** Index version in the scope. @default () => retriever.version ?? 0 */
  version?: () => string | number;
  /**
   * What the cached results are results of, as in `withResultCache`: the retriever's
   * `fingerprint` is always part of the scope when it has one; `scope` names the rest. Without
   * either, each wrapper gets a random scope, so two retrievers over different stores never answer
   * from each other's entries, even in one shared store. @default the retriever's `fingerprint`,
   * else a random scope per wrapper
   */
  scope?: string;
  /** `k` in the scope when a call passes none. @default 10 */
  defaultK?: number;
  /** Receives `retrieve:end` for hits (misses are reported by the inner retriever). */
  events?: EventSinkLike;
}

/**
 * Wraps a retriever with a semantic cache. A hit returns the cached documents with
 * `info.cache = "semantic-hit"`, `info.cacheDistance`, `info.cachedQuery`, and `timings.embed` /
 * `timings.cache`; a miss retrieves and stores the result.
 */
export function withSemanticCache(
  retriever: Retriever,
  cache: SemanticCache,
  options: WithSemanticCacheOptions = {},
): Retriever {
  const version = options.version ?? (() => (retriever as { version?: number }).version ?? 0);
  const source = retrieverScope(retriever, options.scope);
  return {
    async retrieve(query, opts = {}) {
      const t0 = performance.now();
      const namespace =
        typeof options.namespace === "function" ? options.namespace(query, opts) : options.namespace;
      const { k, filter, signal, ...extra } = opts;
      const scope = {
        filter,
        k: k ?? options.defaultK ?? 10,
        version: version(),
        namespace,
        signal,
        extra,
        source: source(),
      };
      const { hit, vector } = await cache.lookup(query, scope);
      const cacheMs = performance.now() - t0;
      if (hit) {
        emitEvent(options.events, "retrieve:end", {
          query,
          k: scope.k,
          count: hit.result.documents.length,
          timings: { cache: cacheMs, total: performance.now() - t0 },
        });
        return {
          documents: hit.result.documents.map((d) => ({ ...d })),
          timings: { cache: cacheMs, total: performance.now() - t0 },
          info: {
            ...hit.result.info,
            cache: "semantic-hit",
            cacheDistance: hit.distance,
            cachedQuery: hit.query,
          },
        };
      }
      const result = await retriever.retrieve(query, opts);
      const t1 = performance.now();
      const tags = typeof options.tags === "function" ? options.tags(query, opts) : options.tags;
      const stored: RetrievalResult = {
        documents: result.documents.map(
          ({ vector: _v, ...d }: (typeof result.documents)[number] & { vector?: unknown }) => d,
        ),
        timings: result.timings,
        info: result.info,
      };
      await cache.store(query, stored, { ...scope, vector, tags });
      return {
        ...result,
        timings: {
          ...result.timings,
          cache: cacheMs + (performance.now() - t1),
          total: performance.now() - t0,
        },
        info: { ...result.info, cache: "semantic-miss" },
      };
    },
  };
}
