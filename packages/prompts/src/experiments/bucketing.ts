import { createHash } from "node:crypto";
import { ValidationError } from "@ragloom/core";

/**
 * Maps `(salt, unitId)` to a number uniform in [0, 1), the same in every process and language:
 * the first 52 bits (13 hex digits) of SHA-256(`salt + "." + unitId`) divided by 2^52.
 * This is the hash-and-scale bucketing of Facebook's PlanOut (Bakshy, Eckles & Bernstein, WWW 2014:
 * SHA-1 of `salt.unit`, first 15 hex digits / 0xFFFFFFFFFFFFFFF), with SHA-256 and 52 bits so the
 * result is an exact double below 1. A per-experiment salt keeps assignments of different
 * experiments independent.
 */
export function bucketOf(salt: string, unitId: string): number {
  const hex = createHash("sha256").update(`${salt}.${unitId}`).digest("hex").slice(0, 13);
  return Number.parseInt(hex, 16) / 2 ** 52;
}

/**
 * Picks the variant whose cumulative weight range holds `u` (weights are relative; they are
 * divided by their sum). Variants keep their definition order, so adding a variant at the end
 * only moves units out of the last ranges.
 * @param u - a number in [0, 1), e.g. from {@link bucketOf}.
 * @throws ValidationError for no variants or a non-positive total weight.
 */
export function pickWeighted<T extends { weight: number }>(variants: readonly T[], u: number): T {
  const total = variants.reduce((s, v) => s + v.weight, 0);
  if (!variants.length || !(total > 0)) throw new ValidationError("variants need positive weights");
  let acc = 0;
  for (const v of variants) {
    acc += v.weight / total;
    if (u < acc) return v;
  }
  return variants[variants.length - 1]!;
}
