import {
  DimensionMismatchError,
  FilterError,
  RagloomError,
  ServiceError,
  ValidationError,
} from "../errors/errors.js";

/**
 * HTTP status behind each error class of the chromadb v3 JS client, which throws these
 * (from its `chromaFetch`) instead of exposing the response status.
 */
const STATUS_OF_CHROMA_ERROR: Record<string, number> = {
  ChromaClientError: 400,
  ChromaAuthError: 401,
  ChromaUnauthorizedError: 401,
  ChromaForbiddenError: 403,
  ChromaNotFoundError: 404,
  ChromaUniqueError: 409,
  ChromaQuotaExceededError: 422,
  ChromaRateLimitError: 429,
};

/** Whether a request that failed with `status` may succeed when sent again. */
function retryableStatus(status: number | undefined): boolean {
  return status === undefined || status >= 500 || status === 429 || status === 408;
}

const DIMENSION =
  /dimension(?:ality)? of (\d+).*?got (\d+)|expecting embedding with dimension of (\d+), got (\d+)/i;

/**
 * Maps an error of the chromadb client to ragloom's errors:
 * - `ChromaValueError` (the client's own argument checks): `FilterError` where the request held
 *   a filter (`filter: true`), else `ValidationError`;
 * - a dimension mismatch reported by the server: `DimensionMismatchError`;
 * - a filter beyond the server's expression-depth limit (SQLite's 1,000): `FilterError`;
 * - HTTP 401/403: a non-retryable `ServiceError` with that `status` whose message says that
 *   authentication failed (retrying or opening a breaker would not fix credentials);
 * - other HTTP errors: `ServiceError` with the status, retryable for 5xx, 408 and 429 only;
 * - network errors (no status): retryable `ServiceError`.
 * @param what - the operation, for the message (e.g. `query`).
 */
export function toRagloomError(
  error: unknown,
  what: string,
  context: { filter?: boolean } = {},
): RagloomError {
  if (error instanceof RagloomError) return error;
  const e = error as { name?: string; message?: string; status?: number } | undefined;
  const message = e?.message ?? String(error);
  if (e?.name === "ChromaValueError") {
    return context.filter
      ? new FilterError(`Chroma rejected the request: ${message}`, "", { cause: error })
      : new ValidationError(`Chroma rejected the request: ${message}`, { cause: error });
  }
  const dim = DIMENSION.exec(message);
  if (dim) {
    const [exp, act] = dim[1] ? [dim[1], dim[2]] : [dim[3], dim[4]];
    return new DimensionMismatchError(Number(exp), Number(act), "Chroma vector");
  }
  if (context.filter && /Expression tree is too large/i.test(message)) {
    return new FilterError(`Chroma cannot evaluate a filter this large: ${message}`, "", { cause: error });
  }
  const status = typeof e?.status === "number" ? e.status : STATUS_OF_CHROMA_ERROR[e?.name ?? ""];
  if (status === 401 || status === 403) {
    const reason =
      status === 401 ? "Unauthorized: no valid credentials" : "Forbidden: the credentials lack access";
    return new ServiceError(
      "chroma",
      `${what} failed: authentication failed (HTTP ${status} ${reason}); check the token passed in the \`headers\` option`,
      { status, retryable: false, cause: error },
    );
  }
  return new ServiceError("chroma", `${what} failed: ${message}`, {
    status,
    retryable: retryableStatus(status),
    cause: error,
  });
}
