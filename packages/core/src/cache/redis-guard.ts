import type { EventSinkLike } from "../events/event-bus.js";
import {
  type CircuitBreaker,
  type CircuitBreakerOptions,
  createCircuitBreaker,
} from "../resilience/circuit-breaker.js";
import { type RetryOptions, retry } from "../resilience/retry.js";
import { withTimeout } from "../resilience/timeout.js";

/** Resilience options of every Redis-backed helper. */
export interface RedisResilienceOptions {
  /**
   * A breaker shared by all Redis helpers of a process (recommended: one per Redis), breaker
   * options, or `false`. While it is open, caches answer without Redis. @default a new breaker
   * (5 calls, 50 %, 60 s reset; see DEFAULT_BREAKER)
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
        : createCircuitBreaker({ ...(options.breaker || {}), service: "redis", events: options.events });
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
