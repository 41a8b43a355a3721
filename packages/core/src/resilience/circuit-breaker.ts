import CircuitBreakerImpl from "opossum";
import { CircuitOpenError, ValidationError } from "../errors/errors.js";
import { type EventSinkLike, emitEvent } from "../events/event-bus.js";
import { isRetryableError } from "./retry.js";

/** State of a circuit breaker (Nygard, "Release It!", 2007; Fowler, "CircuitBreaker", 2014). */
export type BreakerState = "closed" | "open" | "half-open";

/** Options of {@link createCircuitBreaker}. Implemented with opossum 9 (rolling-window error rate). */
export interface CircuitBreakerOptions {
  /** Dependency name used in events, metrics and errors (`chroma`, `redis`, `embedder`, …). */
  service: string;
  /**
   * Calls needed in the rolling window before the breaker may open; with every call failing the
   * breaker opens on the 5th consecutive failure. @default 5 (Hystrix uses 20 requests, which a
   * low-traffic service may not reach in one window)
   */
  volumeThreshold?: number;
  /** Failure percentage in the rolling window above which the breaker opens. @default 50 (opossum and Hystrix default) */
  errorThresholdPercentage?: number;
  /**
   * Milliseconds the breaker stays open before letting one trial call through (half-open). With
   * a `maxResetTimeoutMs` above it, each failed trial doubles the wait up to that cap, and closing
   * starts again from this value. Short enough that writes retried until their deadline
   * (`withResilience`'s `writeDeadlineMs`, 30 s) meet several trials. @default 5000 (Hystrix's
   * `sleepWindowInMilliseconds` and Polly's `BreakDuration`)
   */
  resetTimeoutMs?: number;
  /**
   * Longest wait between two trial calls while the dependency stays down (the cap of the
   * doubling). @default `resetTimeoutMs` (a fixed open period)
   */
  maxResetTimeoutMs?: number;
  /** Length of the rolling statistics window in milliseconds. @default 10000 (opossum default) */
  rollingWindowMs?: number;
  /**
   * Whether an error counts as a failure of the dependency. Caller mistakes (validation and
   * filter errors, HTTP 4xx, aborts) do not. @default {@link isRetryableError}
   */
  isFailure?: (error: unknown) => boolean;
  /** Receives `breaker:open`, `breaker:half-open`, `breaker:close`, `breaker:reject`. */
  events?: EventSinkLike;
}

/** Resolved defaults of {@link CircuitBreakerOptions}. */
export const DEFAULT_BREAKER = {
  volumeThreshold: 5,
  errorThresholdPercentage: 50,
  resetTimeoutMs: 5_000,
  rollingWindowMs: 10_000,
} as const;

/** A circuit breaker that runs any async function for one dependency. */
export interface CircuitBreaker {
  readonly service: string;
  readonly state: BreakerState;
  /**
   * Runs `fn` unless the breaker is open.
   * @throws CircuitOpenError (without calling `fn`) while open; otherwise whatever `fn` throws.
   */
  execute<T>(fn: () => Promise<T>): Promise<T>;
  /** Counters of the rolling window (opossum stats). */
  stats(): { fires: number; failures: number; successes: number; rejects: number };
  /** Forces the breaker open (maintenance) or closed. */
  open(): void;
  close(): void;
  /** Stops the breaker's timers. */
  shutdown(): void;
}

/**
 * Creates a circuit breaker for one dependency: closed → open when more than
 * `errorThresholdPercentage` % of at least `volumeThreshold` calls in the last `rollingWindowMs`
 * failed; open → half-open after `resetTimeoutMs`; half-open → closed on one success, → open on
 * one failure, with the open period doubled up to `maxResetTimeoutMs` when that is set (as
 * resilience4j's exponential `waitIntervalFunctionInOpenState`), so that a dependency that stays
 * down is probed less and less often.
 * Timeouts are not handled here (use {@link withTimeout} inside `fn`).
 * @throws ValidationError for a non-positive `resetTimeoutMs` or a `maxResetTimeoutMs` below it;
 *   `execute` throws CircuitOpenError while open.
 */
export function createCircuitBreaker(options: CircuitBreakerOptions): CircuitBreaker {
  const { service, events } = options;
  const resetTimeoutMs = options.resetTimeoutMs ?? DEFAULT_BREAKER.resetTimeoutMs;
  const maxResetTimeoutMs = options.maxResetTimeoutMs ?? resetTimeoutMs;
  if (!(resetTimeoutMs > 0)) throw new ValidationError(`resetTimeoutMs must be > 0, got ${resetTimeoutMs}`);
  if (!(maxResetTimeoutMs >= resetTimeoutMs))
    throw new ValidationError(
      `maxResetTimeoutMs must be >= resetTimeoutMs (${resetTimeoutMs}), got ${maxResetTimeoutMs}`,
    );
  const isFailure = options.isFailure ?? isRetryableError;
  const breaker = new CircuitBreakerImpl((fn: () => Promise<unknown>) => fn(), {
    name: service,
    timeout: false,
    resetTimeout: resetTimeoutMs,
    volumeThreshold: options.volumeThreshold ?? DEFAULT_BREAKER.volumeThreshold,
    errorThresholdPercentage: options.errorThresholdPercentage ?? DEFAULT_BREAKER.errorThresholdPercentage,
    rollingCountTimeout: options.rollingWindowMs ?? DEFAULT_BREAKER.rollingWindowMs,
    // errors that are not the dependency's fault count as successes of the breaker
    errorFilter: (error: unknown) => !isFailure(error),
  });
  let state: BreakerState = "closed";
  // opossum reads `options.resetTimeout` when it opens: the wait after a failed trial is set
  // when the breaker half-opens, and reset when it closes
  const timing = breaker as unknown as { options: { resetTimeout: number } };
  breaker.on("open", () => {
    state = "open";
    emitEvent(events, "breaker:open", { service, resetTimeoutMs: timing.options.resetTimeout });
  });
  breaker.on("halfOpen", () => {
    state = "half-open";
    timing.options.resetTimeout = Math.min(timing.options.resetTimeout * 2, maxResetTimeoutMs);
    emitEvent(events, "breaker:half-open", { service });
  });
  breaker.on("close", () => {
    state = "closed";
    timing.options.resetTimeout = resetTimeoutMs;
    emitEvent(events, "breaker:close", { service });
  });
  breaker.on("reject", () => emitEvent(events, "breaker:reject", { service }));
  return {
    service,
    get state() {
      return state;
    },
    async execute<T>(fn: () => Promise<T>): Promise<T> {
      try {
        return (await breaker.fire(fn)) as T;
      } catch (error) {
        if ((error as { code?: string })?.code === "EOPENBREAKER") throw new CircuitOpenError(service);
        throw error;
      }
    },
    stats() {
      const s = breaker.stats;
      return { fires: s.fires, failures: s.failures, successes: s.successes, rejects: s.rejects };
    },
    open: () => breaker.open(),
    close: () => breaker.close(),
    shutdown: () => breaker.shutdown(),
  };
}
