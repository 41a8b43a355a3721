import { DimensionMismatchError, ValidationError } from "../errors/errors.js";

const isVector = (v: unknown): v is ArrayLike<number> =>
  Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView));

/**
 * Checks that `vector` is an array or typed array of `dimensions` finite numbers.
 * @param what - names the vector in error messages, e.g. `vector of "doc-1"`.
 * @throws ValidationError for a missing vector, one that is not an array of numbers or has a
 *   non-finite value; DimensionMismatchError for the wrong length.
 */
export function checkVector(vector: unknown, dimensions: number, what: string): ArrayLike<number> {
  if (vector === undefined || vector === null) throw new ValidationError(`${what} is missing`);
  if (!isVector(vector)) {
    throw new ValidationError(`${what} must be an array or Float32Array of numbers, got ${typeof vector}`);
  }
  if (vector.length !== dimensions) throw new DimensionMismatchError(dimensions, vector.length, what);
  for (let i = 0; i < vector.length; i++) {
    if (typeof vector[i] !== "number" || !Number.isFinite(vector[i])) {
      throw new ValidationError(`${what} has a non-finite value at index ${i}`);
    }
  }
  return vector;
}

/**
 * Checks a query's `k`: a non-negative integer (0 asks for nothing; more than the stored
 * records asks for all of them).
 * @throws ValidationError otherwise.
 */
export function checkK(k: unknown): number {
  if (typeof k !== "number" || !Number.isInteger(k) || k < 0) {
    throw new ValidationError(`k must be a non-negative integer, got ${String(k)}`);
  }
  return k;
}
