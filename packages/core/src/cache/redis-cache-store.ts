import type { Redis } from "ioredis";
import { CacheEntryError } from "./cache-entry-error.js";
import type { CacheStore } from "./cache-store.js";
import type { Codec } from "./codec.js";
import { createRedisGuard, type RedisGuard, type RedisResilienceOptions } from "./redis-guard.js";
import { createEntrySigner, type SigningKey } from "./signing.js";

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
  /**
   * Secret of an HMAC-SHA-256 tag over each entry and its key (see `createEntrySigner`): with it,
   * an entry without a valid tag (written by anyone who can reach Redis but lacks the key, or
   * before signing was turned on) is a miss, reported as a `cache:error` and deleted. At least 32
   * bytes; every process sharing the entries needs the same one. @default none (entries unsigned)
   */
  signingKey?: SigningKey;
}

/**
 * A Redis {@link CacheStore}: MGET for a batch look-up and one pipeline of `SET key value PX ttl`
 * for a batch write (one round trip each), every command through a timeout, retry and the Redis
 * circuit breaker. Undecodable entries and, with a `signingKey`, entries without a valid tag are
 * misses, passed to `onInvalid` of the look-up (the tiered cache deletes and reports them).
 * @throws ValidationError for a `signingKey` shorter than 32 bytes.
 */
export function createRedisCacheStore<V>(
  options: RedisCacheStoreOptions<V>,
): CacheStore<V> & { guard: RedisGuard } {
  const { client, codec } = options;
  const prefix = `${options.prefix ?? "ragloom"}:`;
  const guard = createRedisGuard(options);
  const defaultTtl = options.ttlMs ?? 0;
  const signer = options.signingKey === undefined ? undefined : createEntrySigner(options.signingKey);
  return {
    kind: "redis",
    guard,
    async getMany(keys, opts) {
      if (!keys.length) return [];
      const full = keys.map((k) => prefix + k);
      const onTtl = opts?.onTtl;
      let ttls: Array<number | undefined> = [];
      const raw = onTtl
        ? await guard.run(
            "mget",
            async () => {
              // one round trip: MGET, then PTTL of each key (-1: no expiry, -2: gone)
              const p = client.pipeline().mgetBuffer(full);
              for (const k of full) p.pttl(k);
              const results = (await p.exec()) ?? [];
              const failed = results.find(([e]) => e);
              if (failed) throw failed[0];
              ttls = results.slice(1).map(([, t]) => (typeof t === "number" && t > 0 ? t : undefined));
              return results[0]![1] as Array<Buffer | null>;
            },
            opts?.signal,
          )
        : await guard.run("mget", () => client.mgetBuffer(full), opts?.signal);
      return raw.map((b, i) => {
        if (!b) return undefined;
        const key = keys[i]!;
        onTtl?.(key, ttls[i]);
        const payload = signer ? signer.open(prefix + key, b) : b;
        if (!payload) {
          opts?.onInvalid?.(key, new CacheEntryError(key, "signature", "missing or invalid HMAC tag"));
          return undefined;
        }
        try {
          return codec.decode(payload);
        } catch (cause) {
          opts?.onInvalid?.(key, new CacheEntryError(key, "undecodable", `not ${codec.name}`, { cause }));
          return undefined;
        }
      });
    },
    async setMany(entries, ttlMs, opts) {
      if (!entries.length) return;
      const ttl = ttlMs ?? defaultTtl;
      const encoded = entries.map(([k, v]) => {
        const bytes = codec.encode(v);
        return [prefix + k, signer ? signer.seal(prefix + k, bytes) : bytes] as const;
      });
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
