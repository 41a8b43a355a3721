/**
 * How a parent's score is computed from the scores (cosine similarities) of its retrieved
 * descendant leaf chunks:
 * - `max` (MaxP): the best child's score. Independent of how many children a parent has and of
 *   `childK`, and on the same scale as a child score, so parents with one precise match are not
 *   beaten by long parents with many weak ones. MaxP is the aggregation Dai & Callan found best
 *   for passage-level neural ranking of long documents (SIGIR 2019, "Deeper Text Understanding
 *   for IR with Contextual Neural Language Modeling"), and it was best on SciFact in
 *   `bench/parent-document.ts` here, hence the default.
 * - `sum` (CombSUM, Fox & Shaw, TREC-2 1994): the sum of the children's scores; rewards parents
 *   matched by several children, but grows with parent length and with `childK`.
 */
export type ParentScoring = "max" | "sum";

/** Aggregates child scores; `scores` must be non-empty. */
export function aggregate(scores: number[], scoring: ParentScoring): number {
  if (scoring === "sum") return scores.reduce((a, b) => a + b, 0);
  return Math.max(...scores);
}

/** A retrieved leaf chunk supporting a result, with its cosine similarity to the query. */
export interface ChildScore {
  id: string;
  score: number;
}

/** Max and sum of the supporting children's scores. */
export function scoreSummary(children: ChildScore[]): { max: number; sum: number } {
  const scores = children.map((c) => c.score);
  return { max: aggregate(scores, "max"), sum: aggregate(scores, "sum") };
}
