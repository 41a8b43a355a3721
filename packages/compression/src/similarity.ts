import { DimensionMismatchError } from "@ragloom/core";

/**
 * Cosine similarity of two vectors of equal length, in [-1, 1]; 0 when either vector is all zeros.
 * @throws DimensionMismatchError when the lengths differ.
 */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new DimensionMismatchError(a.length, b.length, "vector");
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  if (na === 0 || nb === 0) return 0;
  return dot / Math.sqrt(na * nb);
}
