import type { EventSinkLike } from "../events/event-bus.js";
import {
  type CircuitBreaker,
  type CircuitBreakerOptions,
  createCircuitBreaker,
} from "../resilience/circuit-breaker.js";
import { type RetryOptions, retry } from "../resilience/retry.js";
import { withTimeout } from "../resilience/timeout.js";

/**
 * Breaker settings for a Redis cache: it opens like any breaker (more than 50 % of at least 5
 * calls in 10 s failed), but probes Redis again after 1 s, doubling to at most 2 s while it stays
 * down. A probe is one command (failing at once while the client is disconnected), while a cache
 * that stays off after Redis is back costs every request a recomputation.
 */
export const REDIS_BREAKER = {
  volumeThreshold: 5,
  errorThresholdPercentage: 50,
  resetTimeoutMs: 1_000,
  maxResetTimeoutMs: 2_000,
  rollingWindowMs: 10_000,
} as const;

/**
 * Creates the circuit breaker to share between the Redis helpers of a process (one per Redis),
 * with {@link REDIS_BREAKER} settings unless overridden.
 * @throws ValidationError for bad reset timeouts (see `createCircuitBreaker`).
 */
export function createRedisBreaker(
  options: Omit<CircuitBreakerOptions, "service"> & { service?: string } = {},
): CircuitBreaker {
  return createCircuitBreaker({ ...REDIS_BREAKER, service: "redis", ...options });
}

/** Resilience options of every Redis-backed helper. */
export interface RedisResilienceOptions {
  /**
   * A breaker shared by all Redis helpers of a process (recommended: one per Redis, from
   * {@link createRedisBreaker}), breaker options, or `false`. While it is open, caches answer
   * without Redis. @default a new breaker with {@link REDIS_BREAKER} (half-open after 1 s,
   * then every 2 s)
   */
  breaker?: CircuitBreaker | Omit<CircuitBreakerOptions, "service" | "events"> | false;
  /**
   * Time limit of one Redis command or pipeline, in milliseconds. A cache slower than this is
   * worse than no cache. @default 250
   */
  timeoutMs?: number;
  /** Retries of a failed command. @default { retries: 1, minTimeoutMs: 20, maxTimeoutMs: 100 } */
  retry?: RetryOptions | false;
  events?: EventSinkLike;
}

/** Runs Redis commands through timeout → breaker → retry. */
export interface RedisGuard {
  readonly breaker: CircuitBreaker | undefined;
  run<T>(operation: string, fn: () => Promise<T>, signal?: AbortSignal): Promise<T>;
}

/** Builds the {@link RedisGuard} of a Redis helper. */
export function createRedisGuard(options: RedisResilienceOptions = {}): RedisGuard {
  const breaker =
    options.breaker === false
      ? undefined
      : options.breaker && "execute" in options.breaker
        ? options.breaker
        : createRedisBreaker({ ...(options.breaker || {}), events: options.events });
  const timeoutMs = options.timeoutMs ?? 250;
  const policy: RetryOptions =
    options.retry === false
      ? { retries: 0 }
      : { retries: 1, minTimeoutMs: 20, maxTimeoutMs: 100, ...options.retry };
  return {
    breaker,
    run(operation, fn, signal) {
      const attempt = () => withTimeout(() => fn(), { timeoutMs, signal, what: `redis.${operation}` });
      return retry(() => (breaker ? breaker.execute(attempt) : attempt()), {
        ...policy,
        service: "redis",
        signal,
        events: options.events,
      });
    },
  };
}
