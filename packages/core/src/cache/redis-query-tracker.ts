import type { Redis } from "ioredis";
import { ValidationError } from "../errors/errors.js";
import { normalizeQuery } from "./keys.js";
import type { QueryCount, QueryTracker } from "./query-tracker.js";
import { createRedisGuard, type RedisResilienceOptions } from "./redis-guard.js";

/** Options of {@link createRedisQueryTracker}. */
export interface RedisQueryTrackerOptions extends RedisResilienceOptions {
  client: Redis;
  /** Key prefix of the sorted sets (`<key>:<bucket number>`). @default "ragloom:queries" */
  key?: string;
  /** How far back `topQueries` counts, in milliseconds. @default 86400000 (24 hours) */
  windowMs?: number;
  /** Width of one sorted set (time bucket), in milliseconds. @default 3600000 (1 hour) */
  bucketMs?: number;
  /** Maps a query to the member counted. @default normalizeQuery (NFKC, lower case, collapsed spaces) */
  normalize?: (query: string) => string;
}

/**
 * Query frequency tracking in Redis sorted sets: one set per time bucket (`ZINCRBY`), each with a
 * time to live of `windowMs + bucketMs` (`PEXPIRE`), so counts age out on their own; `topQueries`
 * sums the live buckets of the window with `ZUNION … WITHSCORES` (Redis ≥ 6.2).
 */
export function createRedisQueryTracker(
  options: RedisQueryTrackerOptions,
): QueryTracker & { readonly keys: () => string[] } {
  const { client } = options;
  const key = options.key ?? "ragloom:queries";
  const windowMs = options.windowMs ?? 86_400_000;
  const bucketMs = options.bucketMs ?? 3_600_000;
  if (!(bucketMs > 0 && windowMs >= bucketMs)) throw new ValidationError("need 0 < bucketMs <= windowMs");
  const normalize = options.normalize ?? normalizeQuery;
  const guard = createRedisGuard(options);
  const liveKeys = () => {
    const now = Math.floor(Date.now() / bucketMs);
    const n = Math.ceil(windowMs / bucketMs);
    return Array.from({ length: n }, (_, i) => `${key}:${now - i}`);
  };
  return {
    keys: liveKeys,
    async record(query) {
      const member = normalize(query);
      if (!member) return;
      const k = liveKeys()[0]!;
      await guard.run("zincrby", () =>
        client
          .pipeline()
          .zincrby(k, 1, member)
          .pexpire(k, windowMs + bucketMs)
          .exec(),
      );
    },
    async topQueries(n): Promise<QueryCount[]> {
      if (!Number.isInteger(n) || n < 1) throw new ValidationError(`n must be a positive integer, got ${n}`);
      const keys = liveKeys();
      const flat = (await guard.run("zunion", () =>
        client.call("ZUNION", keys.length, ...keys, "WITHSCORES"),
      )) as string[];
      const out: QueryCount[] = [];
      for (let i = 0; i < flat.length; i += 2) out.push({ query: flat[i]!, count: Number(flat[i + 1]) });
      // ZUNION sorts by ascending score; ties by member, reversed here
      return out.sort((a, b) => b.count - a.count || (a.query < b.query ? -1 : 1)).slice(0, n);
    },
  };
}
