import { CircuitOpenError, ValidationError } from "../errors/errors.js";
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
   * @default a new breaker with {@link DEFAULT_BREAKER} (5 calls, 50 %, 10 s window; a trial call every 5 s while open)
   */
  breaker?: CircuitBreaker | Omit<CircuitBreakerOptions, "service" | "events"> | false;
  /** Retries of reads (query, get, count, ping), or `false`. @default {@link DEFAULT_RETRY} (2 retries, 200 ms → 5 s, jitter) */
  retry?: RetryOptions | false;
  /**
   * Retry policy of writes (upsert, delete, deleteWhere), or `false` for none. Writes are retried
   * until `writeDeadlineMs`, also while the breaker is open, so that an ingest rides out a
   * restart of the store; reads keep failing fast. @default {@link DEFAULT_WRITE_RETRY}
   * (200 ms → 2 s with jitter, as many retries as fit in `writeDeadlineMs`, transient errors and
   * `CircuitOpenError`)
   */
  writeRetry?: RetryOptions | false;
  /**
   * Time budget of one write in milliseconds, retries and backoff included: no new attempt starts
   * after it (an attempt already running may take up to `timeoutMs` more). @default 30000
   */
  writeDeadlineMs?: number;
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

/**
 * Default write policy of {@link withResilience}: unlimited retries within `writeDeadlineMs`,
 * backoff 200 ms doubling to 2 s with jitter ×[1, 2) (p-retry), retrying transient errors
 * ({@link isRetryableError}) and an open breaker (`CircuitOpenError`), never caller or
 * authentication errors.
 */
export const DEFAULT_WRITE_RETRY = {
  retries: Number.POSITIVE_INFINITY,
  minTimeoutMs: 200,
  maxTimeoutMs: 2000,
  factor: 2,
  randomize: true,
  shouldRetry: (error: unknown) => error instanceof CircuitOpenError || isRetryableError(error),
} as const satisfies RetryOptions;

/** `{ scope }` of a store that declares one, else `{}`. */
const scopeOf = (store: VectorStore): { scope?: string } => {
  const scope = (store as { scope?: unknown }).scope;
  return typeof scope === "string" ? { scope } : {};
};

/** A VectorStore wrapped by {@link withResilience}, exposing its breaker. */
export interface ResilientVectorStore extends VectorStore {
  readonly breaker: CircuitBreaker | undefined;
  readonly inner: VectorStore;
  /**
   * The same store (same breaker) with reads retried like writes: until `writeDeadlineMs`, also
   * through an open breaker, and never answered by the fallback. For jobs whose reads are part of
   * a write, such as an ingest that checks which chunks are stored before writing the others.
   */
  readonly forWrites: VectorStore;
}

/**
 * Wraps a {@link VectorStore} (e.g. the Chroma store) with a per-attempt timeout, retries with
 * exponential backoff and jitter, and a circuit breaker: each attempt runs through the breaker, so
 * once it opens a read fails fast with `CircuitOpenError` or is served by `fallback`, while a
 * write keeps retrying until `writeDeadlineMs` (30 s) and so survives a restart of the store of a
 * few seconds. Writes are idempotent (upsert by id, delete by id or filter), so retrying one whose
 * reply was lost is safe. `forWrites` is the view whose reads wait like writes, for an ingest;
 * `scan` is passed through unguarded (its pages come from the store's own cursor); `ping`
 * bypasses the breaker. Caller errors (`ValidationError`, `FilterError`,
 * `DimensionMismatchError`, HTTP 4xx, authentication failures) are neither retried nor counted by
 * the breaker.
 * @throws CircuitOpenError while the breaker is open (reads without fallback; writes past the
 *   deadline); TimeoutError; AbortError; the store's own errors after retries; ValidationError for
 *   a negative `writeDeadlineMs`.
 */
export function withResilience(store: VectorStore, options: ResilienceOptions = {}): ResilientVectorStore {
  const service = options.service ?? store.kind;
  const events = options.events;
  const breaker = resolveBreaker(options.breaker, service, events);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const readRetry = options.retry === false ? { retries: 0 } : (options.retry ?? {});
  const writeDeadlineMs = options.writeDeadlineMs ?? 30_000;
  if (!(writeDeadlineMs >= 0))
    throw new ValidationError(`writeDeadlineMs must be >= 0, got ${writeDeadlineMs}`);
  const writeRetry: RetryOptions =
    options.writeRetry === false
      ? { retries: 0 }
      : { ...DEFAULT_WRITE_RETRY, maxRetryTimeMs: writeDeadlineMs, ...options.writeRetry };

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
  const patientRead = <T>(
    operation: string,
    signal: AbortSignal | undefined,
    fn: (s: VectorStore, signal: AbortSignal) => Promise<T>,
  ): Promise<T> => run(operation, writeRetry, signal, (sig) => fn(store, sig));

  const write = (
    operation: string,
    opts: CallOptions | undefined,
    fn: (signal: AbortSignal) => Promise<void>,
  ) => run(operation, writeRetry, opts?.signal, fn);

  const build = (reader: typeof read): VectorStore => {
    const view: VectorStore = {
      kind: store.kind,
      // the identity of the data is the inner store's (retriever fingerprints and caches key on it)
      ...scopeOf(store),
      upsert: (records, opts) => write("upsert", opts, (signal) => store.upsert(records, { signal })),
      delete: (ids, opts) => write("delete", opts, (signal) => store.delete(ids, { signal })),
      count: (opts) => reader("count", opts?.signal, (s, signal) => s.count({ signal })),
      query: (vector, opts) =>
        reader("query", opts.signal, (s, signal) => s.query(vector, { ...opts, signal })),
      get: (ids, opts) => reader("get", opts?.signal, (s, signal) => s.get(ids, { signal })),
    };
    if (store.deleteWhere) {
      view.deleteWhere = (filter, opts) =>
        run("deleteWhere", writeRetry, opts?.signal, (signal) => store.deleteWhere!(filter, { signal }));
    }
    // pages of a scan come from the store's own cursor, which a retry cannot resume: passed through
    if (store.scan) view.scan = (opts) => store.scan!(opts);
    if (store.ping) {
      // health probes bypass the breaker so that readiness reports the real state of the service
      view.ping = (opts) =>
        withTimeout((signal) => store.ping!({ signal }), {
          timeoutMs,
          signal: opts?.signal,
          what: `${service}.ping`,
        });
    }
    return view;
  };
  const forWrites = build(patientRead);
  const wrapped: ResilientVectorStore = { ...build(read), breaker, inner: store, forWrites };
  return wrapped;
}
