/**
 * How the sentence extractor turns its signals into one score per sentence. Pure functions, no
 * model: the cosines come from stored or freshly computed vectors, the BM25 scores from the texts.
 */

/** Signals of one compress call; `[d][i]` is sentence `i` of document `d`. */
export interface SentenceSignals {
  /** Cosine similarity of each sentence to the query. */
  cosine: number[][];
  /** BM25 score of each sentence for the query, among all the sentences of the call (>= 0). */
  lexical?: number[][];
  /** Cosine similarity of each whole document to the query. */
  documentCosine?: number[];
  /** BM25 score of each whole document for the query, among the documents of the call (>= 0). */
  documentLexical?: number[];
}

/**
 * How the signals are combined:
 * - `normalization: "z-score"`: each signal becomes a z-score, `(x − mean) / standard deviation`,
 *   a sentence signal over the sentences of its document, a document signal over the documents of
 *   the call (0 when all values are equal), and each pair (cosine, BM25) is fused by a convex
 *   combination, `(1 − w)·z(cosine) + w·z(BM25)`: the hybrid fusion of core's retriever (Bruch,
 *   Gai & Ingber, "An Analysis of Fusion Functions for Hybrid Retrieval", ACM TOIS 2023). Scores
 *   are then in standard deviations, whatever the embedder's cosine range or the BM25 scale.
 * - `normalization: "none"`: the raw cosine of the sentence, plus `sentenceLexicalWeight` times its
 *   BM25 min-max scaled over the call, and a document relevance made of min-max scaled document
 *   cosine and BM25.
 */
export interface SentenceScoring {
  normalization: "z-score" | "none";
  /** Weight of the document relevance added to each of its sentences (>= 0; 0: none). */
  documentWeight: number;
  /** BM25 share of the document relevance, in [0, 1]. */
  lexicalWeight: number;
  /** BM25 share of a sentence's own score, in [0, 1]. */
  sentenceLexicalWeight: number;
  /**
   * Share of a document's relevance that comes from its best sentence, in [0, 1] (0: none; the
   * default 0 when omitted): the relevance becomes `(1 − w)·fuse(document cosine, document BM25) +
   * w·fuse(best sentence cosine, best sentence BM25)`, each signal normalised over the documents
   * of the call and fused with `lexicalWeight`. A document is then relevant when one passage of it
   * answers the query as well as when it does as a whole (the best-passage evidence of Callan,
   * SIGIR 1994, and BERT-MaxP, Dai & Callan, SIGIR 2019). The best sentence BM25 is used when
   * `lexical` is given.
   */
  bestSentenceWeight?: number;
  /**
   * Neighbour smoothing (>= 0): each sentence gains this fraction of the better own score of the
   * sentences right before and after it (a sentence alone in its document is its own neighbour),
   * so evidence spanning adjacent sentences is kept together. 0 turns it off.
   */
  contextWeight: number;
}

/** `(x − mean) / standard deviation` (population); all 0 when the values are equal or fewer than 2. */
export function zScores(values: readonly number[]): number[] {
  const n = values.length;
  if (n < 2) return values.map(() => 0);
  let sum = 0;
  for (const v of values) sum += v;
  const mean = sum / n;
  let squares = 0;
  for (const v of values) squares += (v - mean) ** 2;
  const sd = Math.sqrt(squares / n);
  return values.map((v) => (sd > 1e-12 ? (v - mean) / sd : 0));
}

/** Scales values to [0, 1] (the largest to 1, the smallest to 0); all 0 when they are equal. */
export function minMax(values: readonly number[]): number[] {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return values.map((v) => (hi > lo ? (v - lo) / (hi - lo) : 0));
}

const convex = (a: number[], b: number[] | undefined, w: number) =>
  b === undefined || w === 0 ? a : a.map((x, i) => (1 - w) * x + w * b[i]!);

/**
 * Relevance of each document among the documents of the call: the convex combination of its
 * normalised cosine and BM25 (see {@link SentenceScoring}); all 0 without a document cosine.
 */
export function documentRelevance(signals: SentenceSignals, scoring: SentenceScoring): number[] {
  const n = signals.cosine.length;
  if (!signals.documentCosine) return Array.from({ length: n }, () => 0);
  const norm = scoring.normalization === "z-score" ? zScores : minMax;
  const lexical = signals.documentLexical ? norm(signals.documentLexical) : undefined;
  const whole = convex(norm(signals.documentCosine), lexical, scoring.lexicalWeight);
  const w = scoring.bestSentenceWeight ?? 0;
  if (w === 0) return whole;
  const best = (s: number[]) => (s.length ? Math.max(...s) : 0);
  const bestLexical = signals.lexical ? norm(signals.lexical.map(best)) : undefined;
  const passage = convex(norm(signals.cosine.map(best)), bestLexical, scoring.lexicalWeight);
  return convex(whole, passage, w);
}

/** Each score plus `weight` times the better of its neighbours' (its own when it has none). */
function withContext(own: number[], weight: number): number[] {
  if (weight === 0) return own;
  return own.map((s, i) => {
    if (own.length === 1) return s + weight * s;
    const best = Math.max(own[i - 1] ?? Number.NEGATIVE_INFINITY, own[i + 1] ?? Number.NEGATIVE_INFINITY);
    return s + weight * best;
  });
}

/**
 * Score of every sentence: its own (fused) score, plus `contextWeight` times its better neighbour's, plus
 * `documentWeight` times its document's relevance.
 * @returns `scores[d][i]`, same shape as `signals.cosine`.
 */
export function combineSentenceScores(signals: SentenceSignals, scoring: SentenceScoring): number[][] {
  const { cosine, lexical } = signals;
  const w = scoring.sentenceLexicalWeight;
  let own: number[][];
  if (scoring.normalization === "z-score") {
    own = cosine.map((c, d) => convex(zScores(c), lexical ? zScores(lexical[d]!) : undefined, w));
  } else if (lexical && w > 0) {
    const flat = minMax(lexical.flat());
    let k = 0;
    own = cosine.map((c) => c.map((x) => (1 - w) * x + w * flat[k++]!));
  } else own = cosine;
  const relevance = scoring.documentWeight > 0 ? documentRelevance(signals, scoring) : undefined;
  return own.map((s, d) => {
    const smoothed = withContext(s, scoring.contextWeight);
    const bonus = relevance ? scoring.documentWeight * relevance[d]! : 0;
    return bonus === 0 ? smoothed : smoothed.map((x) => x + bonus);
  });
}
