import type { CacheKind, EventSinkLike } from "../events/event-bus.js";
import { emitEvent } from "../events/event-bus.js";
import { type CacheStore, createMemoryCacheStore } from "./cache-store.js";

/** Counters of a {@link TieredCache}. */
export interface CacheStats {
  /** Look-ups answered by L1 (in process). */
  l1Hits: number;
  /** Look-ups answered by L2 (Redis). */
  l2Hits: number;
  /** Look-ups answered by neither. */
  misses: number;
  /** Entries dropped from L1 by LRU eviction or expiry. */
  evictions: number;
  /** Back-end failures tolerated (treated as misses / skipped writes) and unusable entries dropped. */
  errors: number;
  /** (l1Hits + l2Hits) / look-ups, 0 when there was none. */
  hitRatio: number;
}

/** Options of {@link createTieredCache}. */
export interface TieredCacheOptions<V> {
  /** Which cache this is, for events. */
  name: CacheKind;
  /** In-process first level, or `false` for none. @default an LRU of 10,000 entries */
  l1?: CacheStore<V> | false;
  /** Optional shared second level (e.g. `createRedisCacheStore` from `@ragloom/core/redis`). @default none */
  l2?: CacheStore<V>;
  /** Time to live of each entry in milliseconds (both levels); `0` = none. @default 0 */
  ttlMs?: number;
  /** Receives `cache:hit`, `cache:miss`, `cache:error`, `cache:evict`. */
  events?: EventSinkLike;
}

/** Options of a {@link TieredCache} look-up. */
export interface TieredGetOptions<V> {
  signal?: AbortSignal;
  /**
   * Checks a found value before it is used: returns why it is unusable (e.g. a vector of the
   * wrong length), or `undefined` to accept it. @default accept every value
   */
  check?: (value: V, key: string) => Error | undefined;
}

/** L1 in front of L2; L2 failures never fail a call. */
export interface TieredCache<V> {
  readonly name: CacheKind;
  /**
   * Values of `keys` (one L1 pass, then one L2 batch for the L1 misses; L2 hits refill L1). An
   * entry its store cannot use, or that `options.check` rejects, is a miss: it is deleted from
   * both levels, counted in `errors` and reported as `cache:error`.
   */
  getMany(keys: string[], options?: TieredGetOptions<V>): Promise<Array<V | undefined>>;
  /** One value and the level that had it. */
  get(key: string, options?: TieredGetOptions<V>): Promise<{ value: V; layer: "l1" | "l2" } | undefined>;
  /** Writes to both levels (the L2 write is awaited; its failure is reported, not thrown). */
  setMany(entries: Array<[string, V]>, ttlMs?: number): Promise<void>;
  deleteMany(keys: string[]): Promise<void>;
  /** Removes every entry, or those whose key starts with `keyPrefix`, from both levels. */
  clear(keyPrefix?: string): Promise<void>;
  stats(): CacheStats;
  resetStats(): void;
}

/**
 * Creates a two-level cache: an in-process LRU (L1) in front of an optional shared store (L2).
 * A failing L2 (Redis down, breaker open) is reported through `cache:error` and treated as a miss,
 * so callers answer without it; so is an L2 entry its store cannot use (undecodable, bad
 * signature), which is also deleted.
 */
export function createTieredCache<V extends object>(options: TieredCacheOptions<V>): TieredCache<V> {
  const { name, events } = options;
  const counters = { l1Hits: 0, l2Hits: 0, misses: 0, evictions: 0, errors: 0 };
  const l1 =
    options.l1 === false
      ? undefined
      : (options.l1 ??
        createMemoryCacheStore<V>({
          max: 10_000,
          onEvict: (_k, reason) => {
            counters.evictions++;
            emitEvent(events, "cache:evict", { cache: name, layer: "l1", reason });
          },
        }));
  const l2 = options.l2;
  const defaultTtl = options.ttlMs ?? 0;

  const fail = (layer: "l1" | "l2", error: unknown) => {
    counters.errors++;
    emitEvent(events, "cache:error", { cache: name, layer, error });
  };

  const lookup = async (keys: string[], opts: TieredGetOptions<V> = {}) => {
    const { check } = opts;
    const invalid: Array<{ key: string; layer: "l1" | "l2"; error: unknown }> = [];
    const usable = (v: V | undefined, key: string, layer: "l1" | "l2"): V | undefined => {
      if (v === undefined || !check) return v;
      const error = check(v, key);
      if (error === undefined) return v;
      invalid.push({ key, layer, error });
      return undefined;
    };
    const layers: Array<"l1" | "l2" | undefined> = new Array(keys.length).fill(undefined);
    const out: Array<V | undefined> = l1
      ? (await l1.getMany(keys)).map((v, i) => usable(v, keys[i]!, "l1"))
      : new Array(keys.length).fill(undefined);
    out.forEach((v, i) => {
      if (v !== undefined) layers[i] = "l1";
    });
    const l1Hits = out.filter((v) => v !== undefined).length;
    counters.l1Hits += l1Hits;
    if (l1Hits) emitEvent(events, "cache:hit", { cache: name, layer: "l1", count: l1Hits });
    const missing: number[] = [];
    out.forEach((v, i) => v === undefined && missing.push(i));
    if (missing.length && l2) {
      try {
        const remaining = new Map<string, number | undefined>();
        const found = await l2.getMany(
          missing.map((i) => keys[i]!),
          {
            signal: opts.signal,
            onInvalid: (key, error) => invalid.push({ key, layer: "l2", error }),
            onTtl: l1 ? (key, ms) => remaining.set(key, ms) : undefined,
          },
        );
        const refill: Array<[string, V]> = [];
        found.forEach((raw, j) => {
          const i = missing[j]!;
          const v = usable(raw, keys[i]!, "l2");
          if (v === undefined) return;
          out[i] = v;
          layers[i] = "l2";
          refill.push([keys[i]!, v]);
        });
        if (refill.length) {
          counters.l2Hits += refill.length;
          emitEvent(events, "cache:hit", { cache: name, layer: "l2", count: refill.length });
          // a copy in L1 lives no longer than the entry in L2 has left
          const byTtl = new Map<number | undefined, Array<[string, V]>>();
          for (const e of refill) {
            const left = remaining.get(e[0]);
            const ttl =
              left !== undefined && (!defaultTtl || left < defaultTtl) ? left : defaultTtl || undefined;
            byTtl.set(ttl, [...(byTtl.get(ttl) ?? []), e]);
          }
          for (const [ttl, group] of byTtl) await l1?.setMany(group, ttl);
        }
      } catch (error) {
        fail("l2", error);
      }
    }
    if (invalid.length) {
      // an unusable entry would be read (and rejected) again on every look-up: delete it
      for (const { layer, error } of invalid) fail(layer, error);
      await deleteMany([...new Set(invalid.map((e) => e.key))]);
    }
    const misses = out.filter((v) => v === undefined).length;
    counters.misses += misses;
    if (misses) emitEvent(events, "cache:miss", { cache: name, count: misses });
    return { out, layers };
  };

  const deleteMany = async (keys: string[]) => {
    await l1?.deleteMany(keys);
    if (l2) {
      try {
        await l2.deleteMany(keys);
      } catch (error) {
        fail("l2", error);
      }
    }
  };

  return {
    name,
    async getMany(keys, opts) {
      return (await lookup(keys, opts)).out;
    },
    async get(key, opts) {
      const { out, layers } = await lookup([key], opts);
      return out[0] === undefined ? undefined : { value: out[0], layer: layers[0]! };
    },
    async setMany(entries, ttlMs) {
      if (!entries.length) return;
      const ttl = ttlMs ?? defaultTtl;
      await l1?.setMany(entries, ttl || undefined);
      if (l2) {
        try {
          await l2.setMany(entries, ttl || undefined);
        } catch (error) {
          fail("l2", error);
        }
      }
    },
    deleteMany,
    async clear(keyPrefix) {
      await l1?.clear(keyPrefix);
      if (l2) {
        try {
          await l2.clear(keyPrefix);
        } catch (error) {
          fail("l2", error);
        }
      }
    },
    stats() {
      const lookups = counters.l1Hits + counters.l2Hits + counters.misses;
      return { ...counters, hitRatio: lookups ? (counters.l1Hits + counters.l2Hits) / lookups : 0 };
    },
    resetStats() {
      counters.l1Hits = counters.l2Hits = counters.misses = counters.evictions = counters.errors = 0;
    },
  };
}
