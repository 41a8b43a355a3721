import { ValidationError } from "../errors/errors.js";
import type { RetrievalMode } from "./types.js";

const MODES: readonly RetrievalMode[] = ["dense", "lexical", "hybrid"];

/** A letter, number, punctuation mark or symbol: something a query can match on. */
const SEARCHABLE = /[\p{L}\p{N}\p{P}\p{S}]/u;

/**
 * @throws ValidationError for a query that is not a string, is empty or whitespace, longer than
 *   `maxLength`, or has no searchable character (only zero-width, format or control characters).
 */
export function checkQuery(query: unknown, maxLength: number): asserts query is string {
  if (typeof query !== "string" || query.trim().length === 0)
    throw new ValidationError("query must be a non-empty string");
  if (query.length > maxLength)
    throw new ValidationError(`query is ${query.length} characters, more than maxQueryLength ${maxLength}`);
  if (!SEARCHABLE.test(query)) throw new ValidationError("query has no searchable characters");
}

/** @throws ValidationError unless `value` is an integer in [min, max]. */
export function checkInteger(
  name: string,
  value: unknown,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `in [${min}, ${max}]`;
    throw new ValidationError(`${name} must be an integer ${range}, got ${String(value)}`);
  }
  return value;
}

/** @throws ValidationError for an unknown mode. */
export function checkMode(mode: unknown): RetrievalMode {
  if (!MODES.includes(mode as RetrievalMode))
    throw new ValidationError(`mode must be one of ${MODES.join(", ")}, got ${JSON.stringify(mode)}`);
  return mode as RetrievalMode;
}

/** @throws ValidationError when an embedder's query vector holds NaN or ±Infinity. */
export function checkQueryVector(vector: ArrayLike<number>): void {
  for (let i = 0; i < vector.length; i++) {
    if (!Number.isFinite(vector[i]))
      throw new ValidationError(`the embedder returned a query vector with a non-finite value at ${i}`);
  }
}
