/**
 * Retrieval metrics computed as BEIR does (Thakur et al., NeurIPS 2021), which delegates to
 * pytrec_eval / trec_eval: graded relevance with linear gain, log2 discount, the ideal DCG
 * from the query's own qrels, averaged over the queries that have qrels.
 */

/** qrels: query id → (doc id → graded relevance; > 0 is relevant). */
export type Qrels = Map<string, Map<string, number>>;
/** run: query id → doc ids, best first. */
export type Run = Map<string, string[]>;

/** nDCG@k of one ranked list: Σ rel_i / log2(i + 1) over i = 1..k, divided by the ideal DCG@k. */
export function ndcgAt(ranked: string[], rels: Map<string, number>, k: number): number {
  let dcg = 0;
  for (let i = 0; i < Math.min(k, ranked.length); i++) {
    const rel = rels.get(ranked[i]!) ?? 0;
    if (rel > 0) dcg += rel / Math.log2(i + 2);
  }
  const ideal = [...rels.values()].filter((r) => r > 0).sort((a, b) => b - a);
  let idcg = 0;
  for (let i = 0; i < Math.min(k, ideal.length); i++) idcg += ideal[i]! / Math.log2(i + 2);
  return idcg === 0 ? 0 : dcg / idcg;
}

/** Recall@k of one ranked list: relevant docs in the top k / all relevant docs. */
export function recallAt(ranked: string[], rels: Map<string, number>, k: number): number {
  const relevant = [...rels.entries()].filter(([, r]) => r > 0).map(([id]) => id);
  if (relevant.length === 0) return 0;
  const top = new Set(ranked.slice(0, k));
  return relevant.filter((id) => top.has(id)).length / relevant.length;
}

/** Mean of a metric over the queries in `qrels` (a query missing from the run scores 0). */
export function meanMetric(
  run: Run,
  qrels: Qrels,
  metric: (ranked: string[], rels: Map<string, number>) => number,
): number {
  let sum = 0;
  let n = 0;
  for (const [qid, rels] of qrels) {
    sum += metric(run.get(qid) ?? [], rels);
    n++;
  }
  return n === 0 ? 0 : sum / n;
}

/** The p-th percentile (0..100) of a sample, nearest-rank method. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}
