import pRetry from "p-retry";
import { RagloomError, ServiceError, TimeoutError } from "../errors/errors.js";
import { type EventSinkLike, emitEvent } from "../events/event-bus.js";

/**
 * Retry policy: exponential backoff with full jitter (delay_n = random(1..2) · minTimeoutMs · factor^n,
 * capped at maxTimeoutMs), as implemented by p-retry (node-retry's formula).
 */
export interface RetryOptions {
  /** Retries after the first attempt (so `retries + 1` attempts at most). @default 2 (as vercel/ai `maxRetries`) */
  retries?: number;
  /** Delay before the first retry, in milliseconds. @default 200 */
  minTimeoutMs?: number;
  /** Longest delay between two attempts, in milliseconds. @default 5000 */
  maxTimeoutMs?: number;
  /** Exponential growth factor of the delay. @default 2 (p-retry default) */
  factor?: number;
  /** Multiply each delay by a random factor in [1, 2) (jitter, avoids thundering herds). @default true */
  randomize?: boolean;
  /**
   * Time budget in milliseconds from the first attempt: no retry starts after it, and a backoff
   * delay is cut short to fit in it (p-retry's `maxRetryTime`). @default Infinity
   */
  maxRetryTimeMs?: number;
  /** Decides whether an error is transient. @default {@link isRetryableError} */
  shouldRetry?: (error: unknown) => boolean;
}

/** Resolved defaults of {@link RetryOptions}. */
export const DEFAULT_RETRY = {
  retries: 2,
  minTimeoutMs: 200,
  maxTimeoutMs: 5000,
  factor: 2,
  randomize: true,
} as const;

const NON_RETRYABLE_CODES = new Set([
  "ERR_VALIDATION",
  "ERR_FILTER",
  "ERR_DIMENSION_MISMATCH",
  "ERR_ABORTED",
  "ERR_CIRCUIT_OPEN",
]);

function statusOf(error: object): number | undefined {
  const e = error as { status?: unknown; statusCode?: unknown; response?: { status?: unknown } };
  const s = e.status ?? e.statusCode ?? e.response?.status;
  return typeof s === "number" ? s : undefined;
}

/** HTTP statuses worth retrying: 408, 429 and 5xx (RFC 9110 §15.5.9, §15.6; RFC 6585 §4). */
const retryableStatus = (status: number) => status >= 500 || status === 408 || status === 429;

/**
 * Authentication and authorisation failures, which no retry fixes: SDK error names (chromadb's
 * `ChromaAuthError`, `ChromaForbiddenError`) and Redis replies `NOAUTH`, `WRONGPASS`, `NOPERM`
 * (Redis ACL documentation).
 */
function isAuthError(error: Error): boolean {
  return (
    /Auth|Unauthori[sz]ed|Forbidden|Permission/i.test(error.name) ||
    /^(NOAUTH|WRONGPASS|NOPERM)\b/.test(error.message)
  );
}

/**
 * Whether `error` is transient: network failures, timeouts, HTTP 5xx, 408 and 429 are; other
 * 4xx (including 401/403 authentication errors), ragloom `ValidationError`/`FilterError`/
 * `DimensionMismatchError`, aborts and open circuits are not. A `ServiceError` is retryable when
 * its `retryable` flag says so and it has no non-retryable HTTP status nor an authentication
 * error as its `cause`. Unknown errors without an HTTP status count as transient (connection
 * resets from database clients look like that), except authentication errors.
 */
export function isRetryableError(error: unknown): boolean {
  if (error instanceof ServiceError) {
    if (!error.retryable) return false;
    if (error.status !== undefined && error.status >= 400 && !retryableStatus(error.status)) return false;
    return !(error.cause instanceof Error && isAuthError(error.cause));
  }
  if (error instanceof TimeoutError) return true;
  if (error instanceof RagloomError) return !NON_RETRYABLE_CODES.has(error.code);
  if (!(error instanceof Error)) return false;
  if (error.name === "AbortError") return false;
  const status = statusOf(error);
  if (status !== undefined) return retryableStatus(status);
  if (isAuthError(error)) return false;
  // client-side argument errors of SDKs (e.g. chromadb's ChromaValueError, ChromaNotFoundError)
  if (/Value|Validation|Argument|NotFound|Unique/i.test(error.name)) return false;
  return true;
}

/** Context of {@link retry}. */
export interface RetryContext {
  /** Dependency name used in `retry` events (`chroma`, `redis`, `llm`, …). */
  service: string;
  /** Stops retrying (and rejects with the signal's reason). */
  signal?: AbortSignal;
  /** Receives a `retry` event before each retry. */
  events?: EventSinkLike;
}

/**
 * Runs `fn`, retrying transient failures with exponential backoff and jitter (p-retry).
 * A non-retryable error rejects at once with that same error.
 * @param fn - receives the 1-based attempt number.
 * @throws the last error once retries are exhausted or an error is not retryable.
 */
export async function retry<T>(
  fn: (attempt: number) => Promise<T>,
  options: RetryOptions & RetryContext,
): Promise<T> {
  const retries = options.retries ?? DEFAULT_RETRY.retries;
  const shouldRetry = options.shouldRetry ?? isRetryableError;
  if (retries <= 0) return fn(1);
  return pRetry(fn, {
    retries,
    minTimeout: options.minTimeoutMs ?? DEFAULT_RETRY.minTimeoutMs,
    maxTimeout: options.maxTimeoutMs ?? DEFAULT_RETRY.maxTimeoutMs,
    factor: options.factor ?? DEFAULT_RETRY.factor,
    randomize: options.randomize ?? DEFAULT_RETRY.randomize,
    maxRetryTime: options.maxRetryTimeMs ?? Number.POSITIVE_INFINITY,
    signal: options.signal,
    shouldRetry: ({ error }) => !options.signal?.aborted && shouldRetry(error),
    onFailedAttempt: ({ error, attemptNumber, retriesLeft }) => {
      if (retriesLeft > 0 && !options.signal?.aborted && shouldRetry(error)) {
        emitEvent(options.events, "retry", {
          service: options.service,
          attempt: attemptNumber,
          retriesLeft,
          error,
        });
      }
    },
  });
}
