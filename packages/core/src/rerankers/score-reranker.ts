import { throwIfAborted, ValidationError } from "../errors/errors.js";
import type { ScoredDocument } from "../types/document.js";
import type { CallOptions } from "../types/embedder.js";
import type { Reranker } from "../types/retriever.js";

/**
 * Scores `texts` against `query`, one number per text (higher is more relevant), in input order.
 * Called with at most `batchSize` texts at a time.
 */
export type PairScorer = (query: string, texts: string[], options?: CallOptions) => Promise<number[]>;

/** Options of {@link createScoreReranker}. */
export interface ScoreRerankerOptions {
  /**
   * Drop documents whose score is below this (in the scorer's units, e.g. a probability in
   * [0, 1] for a cross-encoder with a sigmoid). @default undefined (keep all)
   */
  threshold?: number;
  /** Texts per scorer call. @default 16 */
  batchSize?: number;
}

/**
 * A {@link Reranker} over any pair scorer: scores every document against the query in batches of
 * `batchSize`, drops those below `threshold`, and returns at most `k` (all when `k` is absent),
 * best first, ties in input order, each a copy of the input with `score` replaced by the scorer's.
 * Aborting `signal` rejects between batches with the signal's reason.
 * @throws ValidationError for a bad `threshold`/`batchSize`/`k` or a scorer answering the wrong
 *   number of scores; whatever the scorer throws.
 */
export function createScoreReranker(score: PairScorer, options: ScoreRerankerOptions = {}): Reranker {
  const { threshold, batchSize = 16 } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new ValidationError(`batchSize must be an integer >= 1, got ${batchSize}`);
  }
  if (threshold !== undefined && !Number.isFinite(threshold)) {
    throw new ValidationError(`threshold must be a finite number, got ${threshold}`);
  }
  return {
    async rerank(query, documents, callOptions = {}) {
      const { k, signal } = callOptions;
      if (k !== undefined && (!Number.isInteger(k) || k < 1)) {
        throw new ValidationError(`k must be a positive integer, got ${k}`);
      }
      throwIfAborted(signal);
      const scores: number[] = [];
      for (let i = 0; i < documents.length; i += batchSize) {
        throwIfAborted(signal);
        const batch = documents.slice(i, i + batchSize).map((d) => d.text);
        const got = await score(query, batch, { signal });
        if (got.length !== batch.length) {
          throw new ValidationError(`scorer returned ${got.length} scores for ${batch.length} texts`);
        }
        scores.push(...got);
      }
      throwIfAborted(signal);
      const ranked: ScoredDocument[] = documents
        .map((doc, i) => ({ doc, i, s: scores[i]! }))
        .filter((r) => threshold === undefined || r.s >= threshold)
        .sort((a, b) => b.s - a.s || a.i - b.i)
        .map(({ doc, s }) => ({ ...doc, score: s }));
      return k === undefined ? ranked : ranked.slice(0, k);
    },
  };
}
