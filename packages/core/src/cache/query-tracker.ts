import { type EventSinkLike, emitEvent } from "../events/event-bus.js";
import type { Filter } from "../filter/types.js";
import type { Retriever } from "../types/retriever.js";

/** A query and how often it was asked in the tracker's window. */
export interface QueryCount {
  query: string;
  count: number;
}

/** Counts queries (e.g. `createRedisQueryTracker` from `@ragloom/core/redis`: a Redis sorted set per time bucket). */
export interface QueryTracker {
  /** Counts one occurrence of `query` (normalised by the tracker). */
  record(query: string): Promise<void>;
  /** The `n` most frequent queries of the window, most frequent first. */
  topQueries(n: number): Promise<QueryCount[]>;
}

/**
 * Wraps a retriever so that every query is counted by `tracker`. Counting never delays or fails a
 * retrieval: it runs in the background and a failure becomes a `cache:error` event.
 */
export function withQueryTracking(
  retriever: Retriever,
  tracker: QueryTracker,
  options: { events?: EventSinkLike } = {},
): Retriever {
  return {
    retrieve(query, opts) {
      tracker
        .record(query)
        .catch((error: unknown) => emitEvent(options.events, "cache:error", { cache: "result", error }));
      return retriever.retrieve(query, opts);
    },
  };
}

/** Options of {@link warmCache}. */
export interface WarmCacheOptions {
  /** A cache-wrapped retriever (`withResultCache`, `withSemanticCache`): running a query fills its cache. */
  retriever: Retriever;
  /** Where the top queries come from. */
  tracker: QueryTracker;
  /** How many of the most frequent queries to pre-compute. @default 100 */
  n?: number;
  /** `k` of the warmed retrievals (must match what clients ask for to hit). @default the retriever's default */
  k?: number;
  /** Filter of the warmed retrievals. @default none */
  filter?: Filter | null;
  /** Retrievals in flight at once. @default 2 */
  concurrency?: number;
  signal?: AbortSignal;
}

/**
 * Cache warming: runs the `n` most frequent tracked queries through a cache-wrapped retriever so
 * that their results are cached before users ask again (e.g. after a deploy or an index update).
 * @returns how many queries were warmed and which failed (failures do not stop the others).
 */
export async function warmCache(
  options: WarmCacheOptions,
): Promise<{ warmed: number; failed: Array<{ query: string; error: unknown }> }> {
  const top = await options.tracker.topQueries(options.n ?? 100);
  const failed: Array<{ query: string; error: unknown }> = [];
  let warmed = 0;
  let next = 0;
  const worker = async () => {
    while (next < top.length) {
      if (options.signal?.aborted) return;
      const { query } = top[next++]!;
      try {
        await options.retriever.retrieve(query, {
          k: options.k,
          filter: options.filter,
          signal: options.signal,
        });
        warmed++;
      } catch (error) {
        failed.push({ query, error });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 2) }, worker));
  return { warmed, failed };
}
