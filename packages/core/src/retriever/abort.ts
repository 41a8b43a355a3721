import { AbortError } from "../errors/errors.js";

/** ragloom's {@link AbortError} for an aborted signal (its reason, and any `cause`, attached). */
export function abortError(signal: AbortSignal, cause?: unknown): AbortError {
  const reason: unknown = signal.reason;
  if (cause === undefined && reason instanceof AbortError) return reason;
  const detail =
    reason instanceof Error && reason.name !== "AbortError" && reason.message ? `: ${reason.message}` : "";
  return new AbortError(`The operation was aborted${detail}`, { cause: cause ?? reason });
}

/** Throws {@link abortError} if `signal` is aborted. */
export function checkAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortError(signal);
}
