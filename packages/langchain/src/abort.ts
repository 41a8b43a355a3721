import { AbortError } from "@ragloom/core";

/** ragloom's `AbortError` for an aborted signal: its reason when that is one, else one caused by it. */
export function abortError(signal: AbortSignal): AbortError {
  const reason: unknown = signal.reason;
  if (reason instanceof AbortError) return reason;
  const detail =
    reason instanceof Error && reason.name !== "AbortError" && reason.message ? `: ${reason.message}` : "";
  return new AbortError(`The operation was aborted${detail}`, { cause: reason });
}

/**
 * Runs `work` (not at all when `signal` has already aborted) and settles like it, or rejects with
 * {@link abortError} as soon as `signal` aborts, so a call returns promptly even when the work
 * underneath ignores the signal. Work already started is not stopped; its late result or error
 * is ignored.
 */
export async function raceAbort<T>(work: () => Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work();
  if (signal.aborted) throw abortError(signal);
  const promise = work();
  let onAbort!: () => void;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(abortError(signal));
    signal.addEventListener("abort", onAbort, { once: true });
  });
  try {
    return await Promise.race([promise, aborted]);
  } finally {
    signal.removeEventListener("abort", onAbort);
    promise.catch(() => {});
  }
}
