import type { EventSinkLike } from "../events/event-bus.js";
import type { Embedder } from "../types/embedder.js";
import type { CircuitBreaker, CircuitBreakerOptions } from "./circuit-breaker.js";
import { guardedCall, resolveBreaker } from "./guarded-call.js";
import type { RetryOptions } from "./retry.js";

/** Options of {@link withEmbedderResilience}. */
export interface EmbedderResilienceOptions {
  /** Dependency name in events and errors. @default "embedder" */
  service?: string;
  /** A shared breaker, breaker options, or `false`. @default a new breaker with DEFAULT_BREAKER (5 calls, 50 %; a trial call every 5 s while open) */
  breaker?: CircuitBreaker | Omit<CircuitBreakerOptions, "service" | "events"> | false;
  /**
   * Retries, or `false`. @default false: HTTP embedders (`createOpenAICompatibleEmbedder`) retry
   * by themselves and local ones do not fail transiently; set it for other remote embedders
   */
  retry?: RetryOptions | false;
  /** Time limit of each attempt in milliseconds; `0` = none. @default 30000 */
  timeoutMs?: number;
  events?: EventSinkLike;
}

/**
 * Wraps an {@link Embedder} (typically a remote one) with a circuit breaker, a per-attempt
 * timeout and optional retries, like {@link withResilience} does for vector stores. While the
 * breaker is open, calls fail fast with `CircuitOpenError`.
 */
export function withEmbedderResilience(
  embedder: Embedder,
  options: EmbedderResilienceOptions = {},
): Embedder & {
  readonly breaker: CircuitBreaker | undefined;
} {
  const service = options.service ?? "embedder";
  const events = options.events;
  const breaker = resolveBreaker(options.breaker, service, events);
  const timeoutMs = options.timeoutMs ?? 30_000;
  const policy = options.retry ? options.retry : { retries: 0 };
  const run = <T>(operation: string, signal: AbortSignal | undefined, fn: (s: AbortSignal) => Promise<T>) =>
    guardedCall({ service, operation, breaker, policy, timeoutMs, signal, events }, fn);
  const wrapped: Embedder & { breaker: CircuitBreaker | undefined } = {
    modelId: embedder.modelId,
    dimensions: embedder.dimensions,
    normalized: embedder.normalized,
    breaker,
    embedDocuments: (texts, opts) =>
      run("embedDocuments", opts?.signal, (signal) => embedder.embedDocuments(texts, { signal })),
    embedQuery: (text, opts) =>
      run("embedQuery", opts?.signal, (signal) => embedder.embedQuery(text, { signal })),
  };
  if (embedder.countTokens) wrapped.countTokens = (t) => embedder.countTokens!(t);
  if (embedder.dispose) wrapped.dispose = () => embedder.dispose!();
  return wrapped;
}
