import { CircuitOpenError } from "../errors/errors.js";
import { type EventSinkLike, emitEvent } from "../events/event-bus.js";
import type { CallOptions } from "../types/embedder.js";
import type { VectorStore } from "../types/vector-store.js";
import type { CircuitBreaker, CircuitBreakerOptions } from "./circuit-breaker.js";
import { guardedCall, resolveBreaker } from "./guarded-call.js";
import { isRetryableError, type RetryOptions } from "./retry.js";
import { withTimeout } from "./timeout.js";

/** Options of {@link withResilience}. */
export interface ResilienceOptions {
  /** Dependency name in events and errors. @default the store's `kind` (e.g. `chroma`) */
  service?: string;
  /**
   * A shared breaker, breaker options, or `false` for none.
   * @default a new breaker with {@link DEFAULT_BREAKER} (5 calls, 50 %, 60 s reset, 10 s window)
   */
  breaker?: CircuitBreaker | Omit<CircuitBreakerOptions, "service" | "events"> | false;
  /** Retries of reads (query, get, count, ping), or `false`. @default {@link DEFAULT_RETRY} (2 retries, 200 ms → 5 s, jitter) */
  retry?: RetryOptions | false;
  /**
   * Retries of writes (upsert, delete, deleteWhere). Ingestion jobs can afford to wait out a restart:
   * give them more retries and a `shouldRetry` that also retries `CircuitOpenError`. @default `retry`
   */
  writeRetry?: RetryOptions | false;
  /** Time limit of each attempt in milliseconds. @default 10000 (opossum's default timeout) */
  timeoutMs?: number;
  /**
   * Store answering reads (query, get, count) when the primary fails (breaker open or retries
   * exhausted); a `fallback` event says so. Writes never go to the fallback. @default none
   */
  fallback?: VectorStore;
  /** Receives `retry`, `breaker:*`, `fallback`, `service:call`, `service:error`. */
  events?: EventSinkLike;
}

/** A VectorStore wrapped by {@link withResilience}, exposing its breaker. */
export interface ResilientVectorStore extends VectorStore {
  readonly breaker: CircuitBreaker | undefined;
  readonly inner: VectorStore;
}

/**
 * Wraps a {@link VectorStore} (e.g. the Chroma store) with a per-attempt timeout, retries with
 * exponential backoff and jitter, and a circuit breaker: each attempt runs through the breaker, so
 * once it opens the call fails fast with `CircuitOpenError` (never retried by default) or, for
 * reads, is served by `fallback`. Caller errors (`ValidationError`, `FilterError`,
 * `DimensionMismatchError`, HTTP 4xx) are neither retried nor counted by the breaker.
 * @throws CircuitOpenError while the breaker is open (no fallback); TimeoutError; AbortError; the
 *   store's own errors after retries.
 */
export function withResilience(store: VectorStore, options: ResilienceOptions = {}): ResilientVectorStore {
  const service = options.service ?? store.kind;
  const events = options.events;
  const breaker = resolveBreaker(options.breaker, service, events);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const readRetry = options.retry === false ? { retries: 0 } : (options.retry ?? {});
  const writeRetry = options.writeRetry === false ? { retries: 0 } : (options.writeRetry ?? readRetry);

  const run = <T>(
    operation: string,
    policy: RetryOptions,
    signal: AbortSignal | undefined,
    fn: (signal: AbortSignal) => Promise<T>,
  ): Promise<T> => guardedCall({ service, operation, breaker, policy, timeoutMs, signal, events }, fn);

  const read = async <T>(
    operation: string,
    signal: AbortSignal | undefined,
    fn: (s: VectorStore, signal: AbortSignal) => Promise<T>,
  ): Promise<T> => {
    try {
      return await run(operation, readRetry, signal, (sig) => fn(store, sig));
    } catch (error) {
      const fallback = options.fallback;
      if (!fallback || !(error instanceof CircuitOpenError || isRetryableError(error)) || signal?.aborted)
        throw error;
      emitEvent(events, "fallback", { service, fallback: fallback.kind, error });
      return fn(fallback, signal ?? new AbortController().signal);
    }
  };

  const write = (
    operation: string,
    opts: CallOptions | undefined,
    fn: (signal: AbortSignal) => Promise<void>,
  ) => run(operation, writeRetry, opts?.signal, fn);

  const wrapped: ResilientVectorStore = {
    kind: store.kind,
    breaker,
    inner: store,
    upsert: (records, opts) => write("upsert", opts, (signal) => store.upsert(records, { signal })),
    delete: (ids, opts) => write("delete", opts, (signal) => store.delete(ids, { signal })),
    count: (opts) => read("count", opts?.signal, (s, signal) => s.count({ signal })),
    query: (vector, opts) => read("query", opts.signal, (s, signal) => s.query(vector, { ...opts, signal })),
    get: (ids, opts) => read("get", opts?.signal, (s, signal) => s.get(ids, { signal })),
  };
  if (store.deleteWhere) {
    wrapped.deleteWhere = (filter, opts) =>
      run("deleteWhere", writeRetry, opts?.signal, (signal) => store.deleteWhere!(filter, { signal }));
  }
  if (store.ping) {
    // health probes bypass the breaker so that readiness reports the real state of the service
    wrapped.ping = (opts) =>
      withTimeout((signal) => store.ping!({ signal }), {
        timeoutMs,
        signal: opts?.signal,
        what: `${service}.ping`,
      });
  }
  return wrapped;
}
