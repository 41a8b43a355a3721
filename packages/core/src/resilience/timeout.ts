import { AbortError, TimeoutError } from "../errors/errors.js";

/** Options of {@link withTimeout}. */
export interface TimeoutOptions {
  /** Time limit in milliseconds; `0`, `Infinity` or undefined disables it. */
  timeoutMs?: number;
  /** Caller's signal; aborting it rejects at once. */
  signal?: AbortSignal;
  /** What is being done, for the `TimeoutError` message (e.g. `chroma.query`). @default "operation" */
  what?: string;
}

function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error && signal.reason.name !== "AbortError"
    ? signal.reason
    : new AbortError(signal.reason instanceof Error ? signal.reason.message : undefined);
}

/**
 * Runs `fn` with a signal that aborts when `timeoutMs` elapses or the caller's signal aborts,
 * and settles as soon as either happens even if `fn` ignores its signal.
 * @param fn - receives the combined signal; should pass it on to fetch / clients.
 * @returns what `fn` resolves to.
 * @throws TimeoutError after `timeoutMs`; AbortError (or the signal's own Error reason) when the
 *   caller aborts; whatever `fn` throws otherwise.
 */
export async function withTimeout<T>(
  fn: (signal: AbortSignal) => Promise<T>,
  options: TimeoutOptions = {},
): Promise<T> {
  const { timeoutMs, signal } = options;
  if (signal?.aborted) throw abortReason(signal);
  const limited = timeoutMs !== undefined && timeoutMs > 0 && Number.isFinite(timeoutMs);
  if (!limited && !signal) return fn(new AbortController().signal);
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let onAbort: (() => void) | undefined;
  const stopped = new Promise<never>((_, reject) => {
    if (limited) {
      timer = setTimeout(() => {
        const error = new TimeoutError(options.what ?? "operation", timeoutMs!);
        controller.abort(error);
        reject(error);
      }, timeoutMs);
    }
    if (signal) {
      onAbort = () => {
        const error = abortReason(signal);
        controller.abort(error);
        reject(error);
      };
      signal.addEventListener("abort", onAbort, { once: true });
    }
  });
  stopped.catch(() => {});
  try {
    return await Promise.race([fn(controller.signal), stopped]);
  } finally {
    if (timer) clearTimeout(timer);
    if (onAbort) signal!.removeEventListener("abort", onAbort);
  }
}
