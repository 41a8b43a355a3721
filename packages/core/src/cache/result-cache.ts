import { ValidationError } from "../errors/errors.js";
import { type EventSinkLike, emitEvent } from "../events/event-bus.js";
import type { RetrievalResult, RetrieveOptions, Retriever } from "../types/retriever.js";
import { CacheEntryError } from "./cache-entry-error.js";
import type { CacheStore } from "./cache-store.js";
import { canonicalFilter, collapseWhitespace, hashText, stableStringify } from "./keys.js";
import { type RetrieverIdentity, retrieverScope } from "./retriever-scope.js";
import { createTieredCache, type TieredCache } from "./tiered-cache.js";

/** Options of {@link withResultCache}. */
export interface ResultCacheOptions {
  /** A ready cache (to share or inspect); otherwise one is built from `l1`/`l2`/`ttlMs`. */
  cache?: TieredCache<RetrievalResult>;
  /** In-process level, or `false`. @default an LRU of 10,000 results */
  l1?: CacheStore<RetrievalResult> | false;
  /** Shared level, e.g. `createRedisCacheStore({ codec: resultCodec })`. @default none */
  l2?: CacheStore<RetrievalResult>;
  /** Time to live of a cached result in milliseconds. @default 300000 (5 minutes) */
  ttlMs?: number;
  /**
   * Index version included in every key, so adding or deleting documents invalidates cached
   * results. Reads `retriever.version` (kept by `createRetriever`) when absent. Processes that
   * share an L2 must share the version too (e.g. one kept in Redis). @default () => retriever.version ?? 0
   */
  version?: () => string | number;
  /** `k` used in the key when a call does not pass one; set it to the retriever's own default. @default 10 */
  defaultK?: number;
  /**
   * What the cached results are results of, in every key. The wrapped retriever's `fingerprint`
   * (kept by `createRetriever`: store, embedder model, mode, fusion, …) is always part of the key
   * when it has one; `scope` names the rest (e.g. `"docs-v3"` for a retriever composed of others,
   * or a tenant). Two wrappers share entries only when both agree. Without either, each wrapper
   * gets a random scope: nothing is shared by accident, not even between two processes. To share
   * across processes deliberately, give them the same retriever configuration or the same `scope`,
   * and a shared `version`. @default the retriever's `fingerprint`, else a random scope per wrapper
   */
  scope?: string;
  /**
   * Maps a query to the text keyed, so that spellings the retriever itself treats alike share an
   * entry. Must only erase what the retriever ignores. Reads `retriever.normalizeQuery` when the
   * retriever declares one. The default collapses runs of whitespace and trims, which the BM25
   * tokenizer and BERT-style (WordPiece) embedders ignore; lower-casing is not applied, since a
   * cased embedder or a custom tokenizer tells "US" from "us". Pass `(q) => q` to key on the exact
   * text. @default `retriever.normalizeQuery`, else {@link collapseWhitespace}
   */
  normalizeQuery?: (query: string) => string;
  /** Key prefix. @default "res" */
  namespace?: string;
  /** Receives `cache:hit` / `cache:miss` / `cache:error` / `cache:evict`. */
  events?: EventSinkLike;
}

/** A retriever wrapped by {@link withResultCache}. */
export interface CachedRetriever extends Retriever {
  readonly cache: TieredCache<RetrievalResult>;
  /**
   * Drops every cached result of this wrapper's scope: bumps a generation in this process's keys
   * and deletes the scope's entries from both levels (other processes sharing the L2 and the
   * scope then miss too; other scopes in the same namespace are kept).
   */
  invalidate(): Promise<void>;
}

/** Why a cached value is not a retrieval result, or `undefined` when it is one. */
function notAResult(value: RetrievalResult, key: string): Error | undefined {
  const docs = (value as { documents?: unknown })?.documents;
  if (!Array.isArray(docs) || !docs.every((d) => typeof (d as { id?: unknown })?.id === "string"))
    return new CacheEntryError(key, "shape", "not a retrieval result");
  return undefined;
}

/**
 * Caches whole retrieval results, keyed by SHA-256 of (scope, normalised query, `k`, canonical
 * filter, index version, generation, other call options such as `mode`), where the scope is the
 * retriever's `fingerprint` and/or the `scope` option, else random. Concurrent misses of one key
 * share one retrieval (`info.cache = "coalesced"` for the followers). L1 is an in-process LRU, L2 an optional shared store; each entry
 * lives `ttlMs`. A hit returns `info.cache = "hit"` (`info.cacheLayer` l1/l2) and `timings.cache`;
 * a miss calls the inner retriever and adds `timings.cache` (look-up + write time).
 * Stored documents drop any `vector` field.
 * @throws whatever the inner retriever throws; FilterError for an invalid filter.
 */
export function withResultCache(retriever: Retriever, options: ResultCacheOptions = {}): CachedRetriever {
  const ttlMs = options.ttlMs ?? 300_000;
  if (!(ttlMs >= 0)) throw new ValidationError(`ttlMs must be >= 0, got ${ttlMs}`);
  const cache =
    options.cache ??
    createTieredCache<RetrievalResult>({
      name: "result",
      l1: options.l1,
      l2: options.l2,
      ttlMs,
      events: options.events,
    });
  const identity = retriever as Retriever & RetrieverIdentity;
  const version = options.version ?? (() => identity.version ?? 0);
  const normalize =
    options.normalizeQuery ??
    (typeof identity.normalizeQuery === "function"
      ? (q: string) => identity.normalizeQuery!(q)
      : collapseWhitespace);
  // keys start with the scope, so that invalidate() drops only this scope's entries
  const scopeOf = retrieverScope(retriever, options.scope);
  const ns = options.namespace ?? "res";
  const defaultK = options.defaultK ?? 10;
  let generation = 0;

  const keyOf = (query: string, opts: RetrieveOptions) => {
    // any other per-call option (e.g. createRetriever's `mode`) changes results, so it is keyed too
    const { k, filter, signal: _signal, ...rest } = opts;
    const scope = scopeOf();
    return `${ns}:${scope.slice(0, 16)}:${hashText(
      JSON.stringify([
        scope,
        normalize(query),
        k ?? defaultK,
        canonicalFilter(filter),
        String(version()),
        generation,
        stableStringify(rest),
      ]),
    )}`;
  };
  // concurrent misses of one key share a single retrieval (request coalescing)
  const inFlight = new Map<string, Promise<RetrievalResult>>();

  return {
    cache,
    async invalidate() {
      generation++;
      await cache.clear(`${ns}:${scopeOf().slice(0, 16)}:`);
    },
    async retrieve(query, opts = {}) {
      const t0 = performance.now();
      const key = keyOf(query, opts);
      const found = await cache.get(key, { signal: opts.signal, check: notAResult });
      const lookupMs = performance.now() - t0;
      if (found) {
        const hit = found.value;
        const total = performance.now() - t0;
        // a hit never reaches the inner retriever: report the retrieval here
        emitEvent(options.events, "retrieve:end", {
          query,
          k: opts.k ?? defaultK,
          count: hit.documents.length,
          timings: { cache: lookupMs, total },
        });
        return {
          documents: hit.documents.map((d) => ({ ...d })),
          timings: { cache: lookupMs, total },
          info: { ...hit.info, cache: "hit", cacheLayer: found.layer, cachedTimings: hit.timings },
        };
      }
      let pending = inFlight.get(key);
      const leader = !pending;
      if (!pending) {
        pending = retriever.retrieve(query, opts).finally(() => inFlight.delete(key));
        inFlight.set(key, pending);
      }
      const result = await pending;
      const t1 = performance.now();
      if (!leader) {
        return {
          documents: result.documents.map((d) => ({ ...d })),
          timings: { ...result.timings, cache: lookupMs, total: performance.now() - t0 },
          info: { ...result.info, cache: "coalesced" },
        };
      }
      const stored: RetrievalResult = {
        documents: result.documents.map(
          ({ vector: _v, ...d }: (typeof result.documents)[number] & { vector?: unknown }) => d,
        ),
        timings: result.timings,
        info: result.info,
      };
      await cache.setMany([[key, stored]], ttlMs || undefined);
      const cacheMs = lookupMs + (performance.now() - t1);
      return {
        ...result,
        timings: { ...result.timings, cache: cacheMs, total: performance.now() - t0 },
        info: { ...result.info, cache: "miss" },
      };
    },
  };
}
