import { ServiceError } from "../errors/errors.js";
import { type EventSinkLike, emitEvent } from "../events/event-bus.js";
import { type RetryOptions, retry } from "../resilience/retry.js";
import { withTimeout } from "../resilience/timeout.js";

/** Connection options shared by the OpenAI-compatible adapters. */
export interface OpenAICompatibleConnection {
  /** API base URL including the version path, e.g. `https://api.openai.com/v1`, `http://localhost:11434/v1`. */
  baseURL: string;
  /** Model id sent as `model`. */
  model: string;
  /** Sent as `Authorization: Bearer <apiKey>` when set. @default none */
  apiKey?: string;
  /** Extra HTTP headers on every request. @default {} */
  headers?: Record<string, string>;
  /**
   * Time limit of one whole call (all attempts and backoff delays), in milliseconds.
   * @default 60000 for chat completions, 30000 for embeddings
   */
  timeoutMs?: number;
  /** Retries of transient failures (network errors, HTTP 408/429/5xx); never 4xx. @default 2 (as vercel/ai) */
  maxRetries?: number;
  /** Backoff of retries (see {@link RetryOptions}). @default { minTimeoutMs: 200, maxTimeoutMs: 5000, factor: 2, randomize: true } */
  retry?: Omit<RetryOptions, "retries">;
  /** A `fetch` implementation (for proxies, tests, undici agents). @default globalThis.fetch */
  fetch?: typeof fetch;
  /** Receives `retry`, `service:call` and `service:error` events. @default none */
  events?: EventSinkLike;
}

/** Whether an HTTP status is worth retrying: 408, 429 and 5xx (RFC 9110 §15.6, RFC 6585 §4). */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/**
 * POSTs `body` as JSON to `baseURL + path` with timeout, abort and retries, and parses the JSON reply.
 * @throws ServiceError (`status`, `retryable`) for HTTP errors, network errors and unparsable replies;
 *   TimeoutError after `timeoutMs`; AbortError when `signal` aborts.
 */
export async function postJson<T>(
  conn: OpenAICompatibleConnection,
  path: string,
  body: unknown,
  options: { service: string; timeoutMs: number; signal?: AbortSignal },
): Promise<T> {
  const doFetch = conn.fetch ?? globalThis.fetch;
  const url = conn.baseURL.replace(/\/+$/, "") + path;
  const headers: Record<string, string> = { "content-type": "application/json", accept: "application/json" };
  if (conn.apiKey) headers.authorization = `Bearer ${conn.apiKey}`;
  Object.assign(headers, conn.headers);
  const payload = JSON.stringify(body);
  const t0 = performance.now();
  const operation = path.replace(/^\//, "");
  const result = withTimeout(
    (signal) =>
      retry(
        async () => {
          let res: Response;
          try {
            res = await doFetch(url, { method: "POST", headers, body: payload, signal });
          } catch (cause) {
            if (signal.aborted) throw signal.reason;
            throw new ServiceError(options.service, `request to ${url} failed: ${(cause as Error).message}`, {
              retryable: true,
              cause,
            });
          }
          const text = await res.text().catch((cause: unknown) => {
            if (signal.aborted) throw signal.reason;
            throw new ServiceError(options.service, `reading the reply of ${url} failed`, {
              retryable: true,
              cause,
            });
          });
          if (!res.ok) {
            throw new ServiceError(options.service, `HTTP ${res.status} from ${url}: ${text.slice(0, 500)}`, {
              status: res.status,
              retryable: isRetryableStatus(res.status),
            });
          }
          try {
            return JSON.parse(text) as T;
          } catch (cause) {
            throw new ServiceError(options.service, `reply of ${url} is not JSON: ${text.slice(0, 200)}`, {
              status: res.status,
              retryable: false,
              cause,
            });
          }
        },
        {
          ...conn.retry,
          retries: conn.maxRetries ?? 2,
          service: options.service,
          signal,
          events: conn.events,
        },
      ),
    { timeoutMs: options.timeoutMs, signal: options.signal, what: `${options.service} ${path}` },
  );
  return result.then(
    (value) => {
      emitEvent(conn.events, "service:call", {
        service: options.service,
        operation,
        durationMs: performance.now() - t0,
      });
      return value as T;
    },
    (error: unknown) => {
      emitEvent(conn.events, "service:error", { service: options.service, operation, error });
      throw error;
    },
  );
}

/**
 * Readiness probe of an OpenAI-compatible server: `GET {baseURL}/models` (answered by OpenAI,
 * Ollama, vLLM, LM Studio and llama.cpp servers; llama-cpp-python has no `/health`). No retries.
 * @throws ServiceError when the server does not answer 2xx; TimeoutError; AbortError.
 */
export async function pingOpenAICompatible(
  conn: Pick<OpenAICompatibleConnection, "baseURL" | "apiKey" | "headers" | "fetch">,
  options: { service: string; timeoutMs?: number; signal?: AbortSignal },
): Promise<void> {
  const doFetch = conn.fetch ?? globalThis.fetch;
  const url = `${conn.baseURL.replace(/\/+$/, "")}/models`;
  const headers: Record<string, string> = { accept: "application/json", ...conn.headers };
  if (conn.apiKey) headers.authorization = `Bearer ${conn.apiKey}`;
  await withTimeout(
    async (signal) => {
      let res: Response;
      try {
        res = await doFetch(url, { headers, signal });
      } catch (cause) {
        if (signal.aborted) throw signal.reason;
        throw new ServiceError(options.service, `GET ${url} failed: ${(cause as Error).message}`, { cause });
      }
      await res.arrayBuffer().catch(() => undefined);
      if (!res.ok) {
        throw new ServiceError(options.service, `GET ${url} answered HTTP ${res.status}`, {
          status: res.status,
          retryable: isRetryableStatus(res.status),
        });
      }
    },
    { timeoutMs: options.timeoutMs ?? 5000, signal: options.signal, what: `${options.service} ping` },
  );
}
