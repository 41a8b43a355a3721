/**
 * Scalar (int8) quantisation of L2-normalised vectors, with the error bounds that let a
 * quantised scan be rescored into exact results.
 *
 * Each vector `x` is stored as `s · c` with `s = max|x_i| / 127` (one float32 scale per vector)
 * and `c_i = round(x_i / s)` in [-127, 127] (symmetric: -128 is never used, so a product of two
 * codes fits 15 bits). The approximate dot product of a row `r` and a query `q` is
 * `s_r · s_q · Σ c_r,i · c_q,i`, computed exactly in int32 by the `scores_i8` kernel. Its error is
 * bounded by Cauchy–Schwarz: with `r̂ = s_r·c_r` and `q̂ = s_q·c_q`,
 * `|r·q − r̂·q̂| = |r·(q − q̂) + (r − r̂)·q̂| ≤ ‖r‖·‖q − q̂‖ + ‖r − r̂‖·‖q̂‖`.
 * (Scalar quantisation as in Jacob et al., "Quantization and Training of Neural Networks for
 * Efficient Integer-Arithmetic-Only Inference", CVPR 2018, here symmetric and per vector.)
 */

/** Largest code magnitude: codes are in [-127, 127]. */
export const CODE_MAX = 127;

/**
 * Quantises `src[0, d)` into `codes[0, d)` (the rest of `codes` is left as it is, zero padding).
 * @returns the scale `s` (a float32 value) and `‖src − s·codes‖₂` (the row's quantisation error).
 */
export function quantizeInto(
  src: ArrayLike<number>,
  d: number,
  codes: Int8Array | Int16Array,
): { scale: number; error: number } {
  let max = 0;
  for (let i = 0; i < d; i++) max = Math.max(max, Math.abs(src[i]!));
  if (max === 0) {
    codes.fill(0, 0, d);
    return { scale: 0, error: 0 };
  }
  const scale = Math.fround(max / CODE_MAX);
  const inv = CODE_MAX / max;
  let error = 0;
  for (let i = 0; i < d; i++) {
    const x = src[i]!;
    let c = Math.round(x * inv);
    c = Math.min(CODE_MAX, Math.max(-CODE_MAX, c));
    codes[i] = c;
    const e = x - scale * c;
    error += e * e;
  }
  // the error is that of the codes actually stored, whatever the rounding above
  return { scale, error: Math.sqrt(error) };
}

/** A query prepared for the quantised scan. */
export interface QuantizedQuery {
  /** Codes of the query as int16 (the kernel's layout), `bytes` long, zero-padded. */
  codes: Int16Array;
  /** The query's scale `s_q`. */
  scale: number;
  /**
   * Bound on `|exact − approximate|` for every stored row: `‖q − q̂‖·maxRowNorm +
   * maxRowError·‖q̂‖` plus the float32 rounding of both computations.
   */
  bound: number;
}

/**
 * Quantises a normalised query and bounds the error of every approximate score against it.
 * @param q - the query, L2-normalised, length `d`.
 * @param bytes - length of the codes (`d` rounded up to a multiple of 16).
 * @param maxRowError - the largest `‖r − r̂‖₂` of the stored rows (an upper bound suffices).
 */
export function quantizeQuery(q: Float32Array, bytes: number, maxRowError: number): QuantizedQuery {
  const d = q.length;
  const codes = new Int16Array(bytes);
  // quantizeInto's arithmetic, in one monomorphic pass that also sums ‖q̂‖² (a query per search)
  let max = 0;
  for (let i = 0; i < d; i++) max = Math.max(max, Math.abs(q[i]!));
  const scale = max === 0 ? 0 : Math.fround(max / CODE_MAX);
  const inv = max === 0 ? 0 : CODE_MAX / max;
  let sq = 0;
  let hat = 0;
  for (let i = 0; i < d; i++) {
    const x = q[i]!;
    const c = Math.min(CODE_MAX, Math.max(-CODE_MAX, Math.round(x * inv)));
    codes[i] = c;
    const e = x - scale * c;
    sq += e * e;
    hat += (scale * c) ** 2;
  }
  const error = Math.sqrt(sq);
  // Rows are unit vectors stored as float32: their norm is 1 within √d·2⁻²⁴; 1 + 1e-5 covers it.
  // Float32 rounding: the exact kernel sums d products in 8 lanes, the quantised one rounds
  // three times; (d + 16)·2⁻²⁴ bounds both for vectors of norm ≤ 1 (Higham, "Accuracy and
  // Stability of Numerical Algorithms", 2nd ed., §3.1).
  const rounding = (d + 16) * 2 ** -24;
  const bound = error * (1 + 1e-5) + maxRowError * Math.sqrt(hat) + rounding;
  return { codes, scale, bound };
}
