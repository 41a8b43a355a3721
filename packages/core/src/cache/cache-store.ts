import { LRUCache } from "lru-cache";
import { ValidationError } from "../errors/errors.js";

/** Options of {@link CacheStore.getMany}. */
export interface CacheGetOptions {
  signal?: AbortSignal;
  /** Called with the key and the reason of every entry found unusable. */
  onInvalid?: (key: string, error: unknown) => void;
  /**
   * Called for every entry returned, with its remaining time to live in milliseconds
   * (`undefined`: it does not expire). A two-level cache uses it so that an entry copied from
   * the shared layer into the local one expires when the shared one does, not a whole TTL later.
   */
  onTtl?: (key: string, remainingMs: number | undefined) => void;
}

/**
 * A key-value back-end of a cache. Batch methods so that remote back-ends answer a whole batch in
 * one round trip (Redis MGET / pipeline). Values are whatever the back-end holds: objects in
 * process, encoded bytes in Redis (through a {@link Codec}).
 */
export interface CacheStore<V> {
  /** `memory`, `redis`, … (used in events and stats). */
  readonly kind: string;
  /**
   * Values of `keys` in order, `undefined` where missing or expired. An entry that exists but
   * cannot be used (undecodable, bad signature) is `undefined` too and is passed to
   * `options.onInvalid` (a `CacheEntryError`), so that the caller can delete and report it.
   */
  getMany(keys: string[], options?: CacheGetOptions): Promise<Array<V | undefined>>;
  /** Stores entries, each living `ttlMs` milliseconds (or the store's default). */
  setMany(
    entries: Array<[key: string, value: V]>,
    ttlMs?: number,
    options?: { signal?: AbortSignal },
  ): Promise<void>;
  /** Removes keys; unknown keys are ignored. */
  deleteMany(keys: string[]): Promise<void>;
  /** Removes every entry of this store, or only the keys starting with `keyPrefix`. */
  clear(keyPrefix?: string): Promise<void>;
}

/** Options of {@link createMemoryCacheStore}. */
export interface MemoryCacheStoreOptions {
  /** Most entries kept; the least recently used is evicted beyond it. @default 10000 */
  max?: number;
  /** Default time to live in milliseconds; `0` = no expiry. @default 0 */
  ttlMs?: number;
  /** Called when an entry is dropped by LRU eviction or expiry (not by `set`/`delete`). */
  onEvict?: (key: string, reason: "evict" | "expire") => void;
}

/**
 * An in-process LRU {@link CacheStore} (lru-cache). Holds values as they are (no copy, no encoding),
 * so callers must not mutate what they put in or get out.
 * @throws ValidationError for a bad `max`.
 */
export function createMemoryCacheStore<V extends object>(
  options: MemoryCacheStoreOptions = {},
): CacheStore<V> & {
  readonly size: number;
} {
  const max = options.max ?? 10_000;
  if (!Number.isInteger(max) || max < 1)
    throw new ValidationError(`max must be a positive integer, got ${max}`);
  const lru = new LRUCache<string, V>({
    max,
    ttl: options.ttlMs ?? 0,
    ttlAutopurge: false,
    allowStale: false,
    dispose: options.onEvict
      ? (_v, key, reason) => {
          if (reason === "evict" || reason === "expire") options.onEvict!(key, reason);
        }
      : undefined,
  });
  return {
    kind: "memory",
    get size() {
      return lru.size;
    },
    async getMany(keys, opts) {
      return keys.map((k) => {
        const v = lru.get(k);
        if (v !== undefined && opts?.onTtl) {
          const left = lru.getRemainingTTL(k);
          opts.onTtl(k, Number.isFinite(left) && left > 0 ? left : undefined);
        }
        return v;
      });
    },
    async setMany(entries, ttlMs) {
      for (const [k, v] of entries) lru.set(k, v, ttlMs !== undefined ? { ttl: ttlMs } : undefined);
    },
    async deleteMany(keys) {
      for (const k of keys) lru.delete(k);
    },
    async clear(keyPrefix) {
      if (keyPrefix === undefined) return lru.clear();
      for (const k of [...lru.keys()]) if (k.startsWith(keyPrefix)) lru.delete(k);
    },
  };
}
