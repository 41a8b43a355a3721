import { ValidationError } from "../errors/errors.js";
import type { ScoredDocument } from "../types/document.js";

/** Default constant of reciprocal rank fusion (Cormack, Clarke & Büttcher, SIGIR 2009). */
export const RRF_K = 60;

/** Options of {@link reciprocalRankFusion}. */
export interface RRFOptions {
  /** Rank constant. @default 60 (Cormack et al. 2009) */
  k?: number;
  /** Per-list weights (same order as the lists). @default all 1 */
  weights?: number[];
  /** Number of fused documents to return. @default all */
  limit?: number;
}

/**
 * Reciprocal rank fusion: `score(d) = Σ_i w_i / (k + rank_i(d))`, ranks starting at 1
 * (Cormack, Clarke & Büttcher, "Reciprocal Rank Fusion outperforms Condorcet and individual
 * Rank Learning Methods", SIGIR 2009). Input lists must be sorted best first.
 * @returns documents best first; `score` is the fused RRF score in (0, Σw/(k+1)].
 *   Ties keep the order of first appearance.
 */
export function reciprocalRankFusion(lists: ScoredDocument[][], options: RRFOptions = {}): ScoredDocument[] {
  const k = options.k ?? RRF_K;
  if (!(k >= 0)) throw new ValidationError(`RRF k must be >= 0, got ${k}`);
  const weights = options.weights ?? lists.map(() => 1);
  if (weights.length !== lists.length) throw new ValidationError("one weight per list is required");
  const fused = new Map<string, ScoredDocument>();
  lists.forEach((list, li) => {
    const w = weights[li]!;
    list.forEach((doc, rank) => {
      const add = w / (k + rank + 1);
      const prev = fused.get(doc.id);
      if (prev) prev.score += add;
      else fused.set(doc.id, { ...doc, score: add });
    });
  });
  const out = [...fused.values()].sort((a, b) => b.score - a.score);
  return options.limit === undefined ? out : out.slice(0, options.limit);
}

/** How {@link weightedScoreFusion} puts each list's scores on one scale. */
export type ScoreNormalization = "min-max" | "z-score";

/** Options of {@link weightedScoreFusion}. */
export interface WeightedFusionOptions {
  /** Per-list weights. @default all equal (1 / number of lists) */
  weights?: number[];
  /**
   * `"min-max"`: `(s − min) / (max − min)` over the list (all 1 when every score is equal);
   * `"z-score"`: `(s − mean) / standard deviation` over the list (all 0 when every score is
   * equal). @default "min-max"
   */
  normalization?: ScoreNormalization;
  /** Number of fused documents to return. @default all */
  limit?: number;
}

/** Each score of `list` normalised, in list order. */
function normalise(list: ScoredDocument[], normalization: ScoreNormalization): number[] {
  const n = list.length;
  if (normalization === "z-score") {
    let sum = 0;
    for (const d of list) sum += d.score;
    const mean = sum / n;
    let squares = 0;
    for (const d of list) squares += (d.score - mean) ** 2;
    const sd = Math.sqrt(squares / n);
    return list.map((d) => (sd > 0 ? (d.score - mean) / sd : 0));
  }
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const d of list) {
    if (d.score < min) min = d.score;
    if (d.score > max) max = d.score;
  }
  const range = max - min;
  return list.map((d) => (range > 0 ? (d.score - min) / range : 1));
}

/**
 * Weighted score fusion: a convex combination of normalised scores (Bruch, Gai & Ingber, "An
 * Analysis of Fusion Functions for Hybrid Retrieval", ACM TOIS 2023; "CombSUM", Fox & Shaw,
 * TREC-2 1994). Each list's scores are normalised (see {@link WeightedFusionOptions}), then
 * `score(d) = Σ_i w_i · norm_i(d)`; a document missing from a list gets that list's lowest
 * normalised score there (0 under min-max), as if it ranked just below the list's depth.
 * Input lists may come in any order; the normalisation depends on how deep each list is, so
 * fuse lists of a fixed depth to get stable scores.
 * @returns documents best first; `score` is the fused score (in [0, Σw] under min-max).
 *   Ties keep the order of first appearance.
 * @throws ValidationError when `weights` does not have one weight per list, or for an unknown
 *   `normalization`.
 */
export function weightedScoreFusion(
  lists: ScoredDocument[][],
  options: WeightedFusionOptions = {},
): ScoredDocument[] {
  const weights = options.weights ?? lists.map(() => 1 / Math.max(1, lists.length));
  if (weights.length !== lists.length) throw new ValidationError("one weight per list is required");
  const normalization = options.normalization ?? "min-max";
  if (normalization !== "min-max" && normalization !== "z-score")
    throw new ValidationError(
      `normalization must be "min-max" or "z-score", got ${JSON.stringify(normalization)}`,
    );
  const fused = new Map<string, ScoredDocument>();
  const norms = lists.map((list) => normalise(list, normalization));
  const floors = norms.map((n) => n.reduce((a, b) => Math.min(a, b), n.length === 0 ? 0 : n[0]!));
  lists.forEach((list, li) => {
    list.forEach((doc, i) => {
      const add = weights[li]! * norms[li]![i]!;
      const prev = fused.get(doc.id);
      if (prev) prev.score += add;
      else fused.set(doc.id, { ...doc, score: add });
    });
  });
  // documents absent from a list get its floor (nothing to do under min-max, where it is 0)
  lists.forEach((list, li) => {
    const floor = weights[li]! * floors[li]!;
    if (floor === 0) return;
    const seen = new Set(list.map((d) => d.id));
    for (const doc of fused.values()) if (!seen.has(doc.id)) doc.score += floor;
  });
  const out = [...fused.values()].sort((a, b) => b.score - a.score);
  return options.limit === undefined ? out : out.slice(0, options.limit);
}
