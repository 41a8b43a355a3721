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

/** Options of {@link weightedScoreFusion}. */
export interface WeightedFusionOptions {
  /** Per-list weights. @default all equal (1 / number of lists) */
  weights?: number[];
  /** Number of fused documents to return. @default all */
  limit?: number;
}

/**
 * Weighted score fusion (convex combination, "CombSUM" with min-max normalisation;
 * Fox & Shaw, TREC-2 1994; Bruch et al., "An Analysis of Fusion Functions for Hybrid
 * Retrieval", TOIS 2023): each list's scores are min-max normalised to [0, 1], then
 * `score(d) = Σ_i w_i · norm_i(d)` (a document missing from a list gets 0 there).
 * @returns documents best first; `score` is the fused score in [0, Σw].
 */
export function weightedScoreFusion(
  lists: ScoredDocument[][],
  options: WeightedFusionOptions = {},
): ScoredDocument[] {
  const weights = options.weights ?? lists.map(() => 1 / Math.max(1, lists.length));
  if (weights.length !== lists.length) throw new ValidationError("one weight per list is required");
  const fused = new Map<string, ScoredDocument>();
  lists.forEach((list, li) => {
    if (list.length === 0) return;
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (const d of list) {
      if (d.score < min) min = d.score;
      if (d.score > max) max = d.score;
    }
    const range = max - min;
    const w = weights[li]!;
    for (const doc of list) {
      const norm = range > 0 ? (doc.score - min) / range : 1;
      const prev = fused.get(doc.id);
      if (prev) prev.score += w * norm;
      else fused.set(doc.id, { ...doc, score: w * norm });
    }
  });
  const out = [...fused.values()].sort((a, b) => b.score - a.score);
  return options.limit === undefined ? out : out.slice(0, options.limit);
}
