import type { Redis } from "ioredis";
import type { CacheStore } from "./cache-store.js";
import type { Codec } from "./codec.js";
import { createRedisGuard, type RedisGuard, type RedisResilienceOptions } from "./redis-guard.js";

/** Options of {@link createRedisCacheStore}. */
export interface RedisCacheStoreOptions<V> extends RedisResilienceOptions {
  /**
   * An ioredis client (injected; `@ragloom/core` never creates one on its own). Recommended client
   * options: `{ enableOfflineQueue: false, maxRetriesPerRequest: 1 }`, so commands fail at once
   * while Redis is down instead of queueing.
   */
  client: Redis;
  /** Turns values into bytes: `float32Codec` for embeddings, `resultCodec` for results. */
  codec: Codec<V>;
  /** Key prefix (`<prefix>:<key>`). @default "ragloom" */
  prefix?: string;
  /** Default time to live in milliseconds; `0` = none. @default 0 */
  ttlMs?: number;
}

/**
 * A Redis {@link CacheStore}: MGET for a batch look-up and one pipeline of `SET key value PX ttl`
 * for a batch write (one round trip each), every command through a timeout, retry and the Redis
 * circuit breaker. Undecodable entries are treated as misses.
 */
export function createRedisCacheStore<V>(
  options: RedisCacheStoreOptions<V>,
): CacheStore<V> & { guard: RedisGuard } {
  const { client, codec } = options;
  const prefix = `${options.prefix ?? "ragloom"}:`;
  const guard = createRedisGuard(options);
  const defaultTtl = options.ttlMs ?? 0;
  return {
    kind: "redis",
    guard,
    async getMany(keys, opts) {
      if (!keys.length) return [];
      const raw = await guard.run("mget", () => client.mgetBuffer(keys.map((k) => prefix + k)), opts?.signal);
      return raw.map((b) => {
        if (!b) return undefined;
        try {
          return codec.decode(b);
        } catch {
          return undefined;
        }
      });
    },
    async setMany(entries, ttlMs, opts) {
      if (!entries.length) return;
      const ttl = ttlMs ?? defaultTtl;
      const encoded = entries.map(([k, v]) => [prefix + k, codec.encode(v)] as const);
      await guard.run(
        "set",
        async () => {
          const p = client.pipeline();
          for (const [k, b] of encoded) {
            if (ttl > 0) p.set(k, b, "PX", Math.ceil(ttl));
            else p.set(k, b);
          }
          const results = (await p.exec()) ?? [];
          const failed = results.find(([e]) => e);
          if (failed) throw failed[0];
        },
        opts?.signal,
      );
    },
    async deleteMany(keys) {
      if (!keys.length) return;
      await guard.run("unlink", () => client.unlink(...keys.map((k) => prefix + k)));
    },
    async clear(keyPrefix = "") {
      // glob metacharacters in the prefix are escaped for MATCH
      const pattern = `${(prefix + keyPrefix).replace(/[*?[\]\\]/g, "\\$&")}*`;
      await guard.run("clear", async () => {
        let cursor = "0";
        do {
          const [next, found] = await client.scan(cursor, "MATCH", pattern, "COUNT", 500);
          cursor = next;
          if (found.length) await client.unlink(...found);
        } while (cursor !== "0");
      });
    },
  };
}
