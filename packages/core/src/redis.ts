/**
 * `@ragloom/core/redis`: Redis back-ends of the production layer (ioredis, an optional peer
 * dependency). The client is injected; {@link createRedisClient} imports ioredis lazily.
 * @module @ragloom/core/redis
 */
import type { Redis, RedisOptions } from "ioredis";
import { ServiceError } from "./errors/errors.js";

export * from "./cache/redis-cache-store.js";
export * from "./cache/redis-guard.js";
export * from "./cache/redis-query-tracker.js";
export * from "./cache/redis-semantic-store.js";

/**
 * Imports ioredis lazily and returns its client class.
 * @throws ServiceError (not retryable) when ioredis is not installed.
 */
export async function loadIoredis(): Promise<typeof Redis> {
  let mod: typeof import("ioredis");
  try {
    mod = await import("ioredis");
  } catch (cause) {
    throw new ServiceError("redis", "install the optional peer dependency ioredis", {
      retryable: false,
      cause,
    });
  }
  return (mod.Redis ?? (mod as unknown as { default: typeof Redis }).default) as typeof Redis;
}

/**
 * Connects an ioredis client to `url` and waits for the connection, for stores that must not
 * start without Redis (docstores, prompt stores); compare {@link createRedisClient}, which a
 * cache uses to start even while Redis is down.
 * @param options.url - `redis://host:port/db`. @default "redis://127.0.0.1:6379"
 * @param options.redisOptions - ioredis options.
 * @param options.onConnectionError - listener for the client's `error` events. @default ignore
 * @throws ServiceError when ioredis is not installed or the server is unreachable.
 */
export async function connectRedis(
  options: { url?: string; redisOptions?: RedisOptions; onConnectionError?: (error: Error) => void } = {},
): Promise<Redis> {
  const RedisClass = await loadIoredis();
  const client = new RedisClass(options.url ?? "redis://127.0.0.1:6379", {
    lazyConnect: true,
    ...options.redisOptions,
  });
  client.on("error", options.onConnectionError ?? (() => {}));
  try {
    await client.connect();
  } catch (error) {
    client.disconnect();
    if (error instanceof ServiceError) throw error;
    throw new ServiceError("redis", `connect failed: ${(error as Error)?.message ?? String(error)}`, {
      cause: error,
    });
  }
  return client;
}

/**
 * Reconnection delay of {@link createRedisClient} (ioredis `retryStrategy`): 100 ms after the
 * first failed attempt, doubling to at most 1 s, never giving up (ioredis's own default grows by
 * 50 ms per attempt up to 2 s).
 * @param times - 1-based number of the reconnection attempt.
 * @returns milliseconds to wait before the next attempt.
 */
export function cacheRetryStrategy(times: number): number {
  return Math.min(100 * 2 ** Math.max(0, times - 1), 1000);
}

/**
 * Creates an ioredis client with options suited to a cache: no offline queue and one retry per
 * request, so commands fail fast while Redis is down (the circuit breaker then opens), and the
 * client reconnects in the background every 100 ms doubling to 1 s ({@link cacheRetryStrategy}),
 * so caching resumes within about a second of Redis coming back. Waits up to
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
  const RedisClass = await loadIoredis();
  const { readyTimeoutMs = 2000, ...redisOptions } = options;
  const client = new RedisClass(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    retryStrategy: cacheRetryStrategy,
    ...redisOptions,
  });
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
