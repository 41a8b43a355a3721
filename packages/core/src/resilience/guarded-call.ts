import { type EventSinkLike, emitEvent } from "../events/event-bus.js";
import { type CircuitBreaker, type CircuitBreakerOptions, createCircuitBreaker } from "./circuit-breaker.js";
import { type RetryOptions, retry } from "./retry.js";
import { withTimeout } from "./timeout.js";

/**
 * The breaker of a wrapper: a shared one as given, a new one from options, or none for `false`.
 * @param option - what the caller passed as `breaker`; `undefined` means a new default breaker.
 */
export function resolveBreaker(
  option: CircuitBreaker | Omit<CircuitBreakerOptions, "service" | "events"> | false | undefined,
  service: string,
  events: EventSinkLike | undefined,
): CircuitBreaker | undefined {
  if (option === false) return undefined;
  if (option && "execute" in option) return option;
  return createCircuitBreaker({ ...(option || {}), service, events });
}

/** What {@link guardedCall} needs besides the call itself. */
export interface GuardedCallOptions {
  service: string;
  operation: string;
  breaker: CircuitBreaker | undefined;
  /** Retry policy (`{ retries: 0 }` for none). */
  policy: RetryOptions;
  /** Time limit of each attempt in milliseconds; `0` = none. */
  timeoutMs: number;
  signal: AbortSignal | undefined;
  events: EventSinkLike | undefined;
}

/**
 * Runs `fn` with a per-attempt timeout, each attempt through the circuit breaker, retried by
 * `policy` (p-retry), and reports `service:call` (duration in ms, retries included) or
 * `service:error` (after the last attempt).
 * @throws CircuitOpenError, TimeoutError, AbortError, or `fn`'s last error.
 */
export async function guardedCall<T>(
  options: GuardedCallOptions,
  fn: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const { service, operation, breaker, policy, timeoutMs, signal, events } = options;
  const t0 = performance.now();
  try {
    const result = await retry(
      () => {
        const attempt = () => withTimeout(fn, { timeoutMs, signal, what: `${service}.${operation}` });
        return breaker ? breaker.execute(attempt) : attempt();
      },
      { ...policy, service, signal, events },
    );
    emitEvent(events, "service:call", { service, operation, durationMs: performance.now() - t0 });
    return result;
  } catch (error) {
    emitEvent(events, "service:error", { service, operation, error });
    throw error;
  }
}
