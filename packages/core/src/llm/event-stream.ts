import { EventSourceParserStream } from "eventsource-parser/stream";
import { AbortError, ServiceError, TimeoutError } from "../errors/errors.js";
import { emitEvent } from "../events/event-bus.js";
import { retry } from "../resilience/retry.js";
import { isRetryableStatus, type OpenAICompatibleConnection } from "./http.js";

/** Options of {@link postEventStream}. */
export interface EventStreamRequestOptions {
  /** Service name of errors and events, e.g. `llm`. */
  service: string;
  /** Time limit of the whole stream (connecting, retries and reading), in milliseconds; 0 disables it. */
  timeoutMs: number;
  /** Aborts the request and the stream. */
  signal?: AbortSignal;
}

function callerReason(signal: AbortSignal): Error {
  const r: unknown = signal.reason;
  return r instanceof Error && r.name !== "AbortError"
    ? r
    : new AbortError(r instanceof Error ? r.message : undefined);
}

/**
 * POSTs `body` as JSON to `baseURL + path` and yields the `data` field of every server-sent event
 * of the reply (WHATWG HTML "Server-sent events" framing, parsed by `eventsource-parser`), in order.
 * The OpenAI end marker `[DONE]` is yielded too, and ends the stream (so a caller can tell a
 * complete stream from one that broke off); a body that simply ends also ends the stream.
 *
 * Only connecting is retried (network errors, HTTP 408/429/5xx, as `postJson`); once the first byte
 * has arrived nothing is retried, because the generation cannot be resumed. Stopping the iteration
 * early (`break`, `return()`) aborts the HTTP request, so the server can stop generating.
 * @throws ServiceError (`status`, `retryable`) for HTTP errors, network errors and a body that breaks
 *   off; TimeoutError after `timeoutMs`; AbortError (or the signal's own Error reason) when `signal` aborts.
 */
export async function* postEventStream(
  conn: OpenAICompatibleConnection,
  path: string,
  body: unknown,
  options: EventStreamRequestOptions,
): AsyncGenerator<string, void, undefined> {
  const doFetch = conn.fetch ?? globalThis.fetch;
  const url = conn.baseURL.replace(/\/+$/, "") + path;
  const headers: Record<string, string> = {
    "content-type": "application/json",
    accept: "text/event-stream",
  };
  if (conn.apiKey) headers.authorization = `Bearer ${conn.apiKey}`;
  Object.assign(headers, conn.headers);
  const payload = JSON.stringify(body);
  const operation = `${path.replace(/^\//, "")} (stream)`;
  const { service, timeoutMs, signal } = options;
  if (signal?.aborted) throw callerReason(signal);

  const controller = new AbortController();
  const onAbort = () => controller.abort(callerReason(signal!));
  signal?.addEventListener("abort", onAbort, { once: true });
  const timer =
    timeoutMs > 0 && Number.isFinite(timeoutMs)
      ? setTimeout(() => controller.abort(new TimeoutError(`${service} ${path}`, timeoutMs)), timeoutMs)
      : undefined;
  const stopped = () => controller.signal.reason as Error;
  const t0 = performance.now();
  let finished = false;
  try {
    const res = await retry(
      async () => {
        let r: Response;
        try {
          r = await doFetch(url, { method: "POST", headers, body: payload, signal: controller.signal });
        } catch (cause) {
          if (controller.signal.aborted) throw stopped();
          throw new ServiceError(service, `request to ${url} failed: ${(cause as Error).message}`, {
            retryable: true,
            cause,
          });
        }
        if (!r.ok || !r.body) {
          const text = await r.text().catch(() => "");
          if (controller.signal.aborted) throw stopped();
          throw new ServiceError(
            service,
            r.ok ? `empty reply body from ${url}` : `HTTP ${r.status} from ${url}: ${text.slice(0, 500)}`,
            { status: r.status, retryable: !r.ok && isRetryableStatus(r.status) },
          );
        }
        return r;
      },
      {
        ...conn.retry,
        retries: conn.maxRetries ?? 2,
        service,
        signal: controller.signal,
        events: conn.events,
      },
    );
    const reader = res
      .body!.pipeThrough(new TextDecoderStream())
      .pipeThrough(new EventSourceParserStream())
      .getReader();
    try {
      for (;;) {
        let next: Awaited<ReturnType<typeof reader.read>>;
        try {
          next = await reader.read();
        } catch (cause) {
          if (controller.signal.aborted) throw stopped();
          throw new ServiceError(
            service,
            `the event stream of ${url} broke off: ${(cause as Error).message}`,
            {
              retryable: false,
              cause,
            },
          );
        }
        if (next.done) break;
        // A reader that stops at `[DONE]` returns this generator at the yield below: the call has
        // completed by then, so it is marked finished first.
        if (next.value.data === "[DONE]") finished = true;
        yield next.value.data;
        if (finished) break;
      }
    } finally {
      reader.cancel().catch(() => {});
    }
    finished = true;
  } catch (error) {
    emitEvent(conn.events, "service:error", { service, operation, error });
    throw error;
  } finally {
    if (timer) clearTimeout(timer);
    signal?.removeEventListener("abort", onAbort);
    if (!controller.signal.aborted) controller.abort(new AbortError("the stream was closed by its reader"));
    if (finished) {
      emitEvent(conn.events, "service:call", { service, operation, durationMs: performance.now() - t0 });
    }
  }
}
