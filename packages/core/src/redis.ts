/**
 * `@ragloom/core/redis`: Redis back-ends of the production layer (ioredis, an optional peer
 * dependency). The client is injected; {@link createRedisClient} imports ioredis lazily.
 * @module
 */
import type { Redis, RedisOptions } from "ioredis";
import { ServiceError } from "./errors/errors.js";

export * from "./cache/redis-cache-store.js";
export * from "./cache/redis-guard.js";
export * from "./cache/redis-query-tracker.js";
export * from "./cache/redis-semantic-store.js";

/**
 * Creates an ioredis client with options suited to a cache: no offline queue and one retry per
 * request, so commands fail fast while Redis is down (the circuit breaker then opens) and the
 * client reconnects in the background (ioredis default backoff, up to 2 s). Waits up to
 * `readyTimeoutMs` for the first connection, but resolves even when Redis is down (the caches
 * then answer without it): a cache must not stop an application from starting.
 * @param url - `redis://host:port/db`.
 * @param options - ioredis options, plus `readyTimeoutMs` (@default 2000).
 * @throws ServiceError when ioredis is not installed.
 */
export async function createRedisClient(
  url: string,
  options: RedisOptions & { readyTimeoutMs?: number } = {},
): Promise<Redis> {
  let mod: typeof import("ioredis");
  try {
    mod = await import("ioredis");
  } catch (cause) {
    throw new ServiceError("redis", "install the optional peer dependency ioredis", {
      retryable: false,
      cause,
    });
  }
  const { readyTimeoutMs = 2000, ...redisOptions } = options;
  const client = new mod.Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, ...redisOptions });
  client.on("error", () => {
    // connection errors surface as failed commands (and breaker events); avoid unhandled 'error'
  });
  if (client.status !== "ready") {
    let timer: ReturnType<typeof setTimeout> | undefined;
    await new Promise<void>((resolve) => {
      timer = setTimeout(resolve, readyTimeoutMs);
      client.once("ready", () => resolve());
    });
    clearTimeout(timer);
  }
  return client;
}

/** A readiness probe of a Redis client for `createHealthCheck` (`PING`). */
export function redisProbe(client: Redis): () => Promise<void> {
  return async () => {
    const pong = await client.ping();
    if (pong !== "PONG") throw new ServiceError("redis", `PING answered ${pong}`);
  };
}
