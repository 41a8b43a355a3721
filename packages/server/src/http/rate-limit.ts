import type { Redis } from "ioredis";
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import type { RateLimitConfig } from "../config/schema.js";

/** Outcome of one {@link RateLimiter.consume}. */
export interface RateLimitDecision {
  allowed: boolean;
  /** Requests allowed per window. */
  limit: number;
  remaining: number;
  /** Seconds until the window resets (rounded up, at least 1). */
  resetSeconds: number;
  /** Which counter decided: `redis`, or `memory` (no Redis configured, or Redis down). */
  store: "redis" | "memory";
}

/** Per-key request limits. */
export interface RateLimiter {
  consume(keyId: string, limit: RateLimitConfig): Promise<RateLimitDecision>;
}

/**
 * Fixed-window per-key limits with rate-limiter-flexible: counters in Redis (one atomic
 * `SET NX` + `INCR` script per request, shared by every server process) when `redis` is given,
 * each backed by an in-memory insurance limiter with the same limits that takes over while Redis
 * is unreachable (then each process counts on its own). Without Redis, in-memory counters only.
 * One limiter per distinct (points, duration) pair, keyed `ragloom:rl:<points>:<duration>:<key id>`.
 */
export function createRateLimiter(options: { redis?: Redis } = {}): RateLimiter {
  const { redis } = options;
  const limiters = new Map<string, RateLimiterRedis | RateLimiterMemory>();
  const limiterFor = (l: RateLimitConfig) => {
    const id = `${l.points}:${l.durationSeconds}`;
    let limiter = limiters.get(id);
    if (!limiter) {
      const base = { points: l.points, duration: l.durationSeconds, keyPrefix: `ragloom:rl:${id}` };
      limiter = redis
        ? new RateLimiterRedis({
            ...base,
            storeClient: redis,
            rejectIfRedisNotReady: true,
            insuranceLimiter: new RateLimiterMemory(base),
          })
        : new RateLimiterMemory(base);
      limiters.set(id, limiter);
    }
    return limiter;
  };
  return {
    async consume(keyId, limit) {
      const store = redis?.status === "ready" ? "redis" : "memory";
      const decide = (res: RateLimiterRes, allowed: boolean): RateLimitDecision => ({
        allowed,
        limit: limit.points,
        remaining: Math.max(0, res.remainingPoints),
        resetSeconds: Math.max(1, Math.ceil(res.msBeforeNext / 1000)),
        store,
      });
      try {
        return decide(await limiterFor(limit).consume(keyId), true);
      } catch (rejection) {
        if (rejection instanceof RateLimiterRes) return decide(rejection, false);
        throw rejection;
      }
    },
  };
}
