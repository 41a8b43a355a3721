/**
 * Base class of every error ragloom throws on purpose. `code` is stable and machine-readable.
 */
export class RagloomError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Bad input from the caller (empty query, bad option, malformed template …). Never retried. */
export class ValidationError extends RagloomError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("ERR_VALIDATION", message, options);
  }
}

/**
 * A persisted file (a saved vector store or BM25 index) that is not one, is truncated, fails
 * its checksum or holds inconsistent data (duplicate ids, non-finite vectors). A kind of
 * {@link ValidationError} (same `code`, never retried): loading it again does not help, restore
 * it from a good copy or rebuild it.
 */
export class CorruptFileError extends ValidationError {
  /** The file that was refused. */
  readonly path: string;
  constructor(path: string, message: string, options?: { cause?: unknown }) {
    super(`${path}: ${message}`, options);
    this.path = path;
  }
}

/** An invalid metadata filter: unknown operator, bad value type, unsafe field name, unsupported by a store. */
export class FilterError extends RagloomError {
  /** JSON-pointer-like path of the offending node, e.g. `/filters/1/value`. */
  readonly path: string;
  constructor(message: string, path = "", options?: { cause?: unknown }) {
    super("ERR_FILTER", path ? `${message} (at ${path})` : message, options);
    this.path = path;
  }
}

/**
 * A store cannot take more records: it reached its documented record limit, or the runtime
 * refused the memory for more rows. Nothing of the write that hit it was stored. Never retried
 * (the same write fails again); delete records, raise the limit where the store allows it, or
 * move to a store that scales out.
 */
export class CapacityError extends RagloomError {
  /** Records the store would have held after the write. */
  readonly requested: number;
  /** The limit in records (when memory was refused: the rows allocated then). */
  readonly limit: number;
  constructor(message: string, requested: number, limit: number, options?: { cause?: unknown }) {
    super("ERR_CAPACITY", message, options);
    this.requested = requested;
    this.limit = limit;
  }
}

/** A vector's length differs from the embedder's or store's dimensions. */
export class DimensionMismatchError extends RagloomError {
  readonly expected: number;
  readonly actual: number;
  constructor(expected: number, actual: number, context = "vector") {
    super("ERR_DIMENSION_MISMATCH", `${context} has ${actual} dimensions, expected ${expected}`);
    this.expected = expected;
    this.actual = actual;
  }
}

/** A backing service (Chroma, Redis, an HTTP model server) failed or is unreachable. */
export class ServiceError extends RagloomError {
  /** Which dependency: `chroma`, `redis`, `embedder`, `llm`, … */
  readonly service: string;
  /** HTTP status when there was one. */
  readonly status?: number;
  /** Whether retrying may help (network errors, 5xx, 429); false for 4xx validation errors. */
  readonly retryable: boolean;
  constructor(
    service: string,
    message: string,
    options: { status?: number; retryable?: boolean; cause?: unknown } = {},
  ) {
    super("ERR_SERVICE", `${service}: ${message}`, { cause: options.cause });
    this.service = service;
    this.status = options.status;
    this.retryable = options.retryable ?? true;
  }
}

/** The circuit breaker of a dependency is open: the call was not attempted. */
export class CircuitOpenError extends RagloomError {
  readonly service: string;
  constructor(service: string) {
    super("ERR_CIRCUIT_OPEN", `${service}: circuit breaker is open, failing fast`);
    this.service = service;
  }
}

/** A call exceeded its time limit. */
export class TimeoutError extends RagloomError {
  readonly timeoutMs: number;
  constructor(what: string, timeoutMs: number) {
    super("ERR_TIMEOUT", `${what} timed out after ${timeoutMs} ms`);
    this.timeoutMs = timeoutMs;
  }
}

/** A call was aborted through its `AbortSignal`. */
export class AbortError extends RagloomError {
  constructor(message = "The operation was aborted", options?: { cause?: unknown }) {
    super("ERR_ABORTED", message, options);
  }
}

/**
 * An ingest stopped part-way. Every document in `written` is fully indexed, every one in
 * `failed` is not (its previous version, if any, is intact and still the one retrieved);
 * `unchanged` ones were already indexed. Calling `add` again with the same documents writes
 * only the failed ones. `cause` is the underlying error.
 */
export class IngestError extends RagloomError {
  /** Ids written (new or replaced) before the failure. */
  readonly written: string[];
  /** Ids skipped because the same content was already indexed. */
  readonly unchanged: string[];
  /** Ids not written: the batch that failed and every later one. */
  readonly failed: string[];
  constructor(
    message: string,
    details: { written: string[]; unchanged: string[]; failed: string[]; cause: unknown },
  ) {
    super("ERR_INGEST", message, { cause: details.cause });
    this.written = details.written;
    this.unchanged = details.unchanged;
    this.failed = details.failed;
  }
}

/** Throws the signal's reason (or an {@link AbortError}) if `signal` is aborted. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    throw signal.reason instanceof Error ? signal.reason : new AbortError();
  }
}
