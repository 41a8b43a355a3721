/**
 * The "no good match" check of ask-the-docs. Fused (hybrid) and BM25 scores have no absolute
 * meaning, so whether the index holds anything related to a question is judged on the raw cosine
 * similarity of the best dense hit, from a dense-only search of the vector store.
 */
import type { Filter, HybridRetriever } from "@ragloom/core";

/**
 * Default `--min-similarity`: best dense cosine similarity (all-MiniLM-L6-v2, fp32) under which a
 * question is reported as having no good match. Measured by `calibrate-threshold.ts` in this
 * folder (see the README's "No good match" section): PLACEHOLDER.
 */
export const DEFAULT_MIN_SIMILARITY = 0.3;

/** Raw cosine similarity of the best dense hit for `question` (`undefined` on an empty store). */
export async function bestDenseSimilarity(
  retriever: HybridRetriever,
  question: string,
  filter?: Filter,
): Promise<number | undefined> {
  const { documents } = await retriever.retrieve(question, { mode: "dense", k: 1, filter });
  return documents[0]?.score;
}

/** The line printed when the best dense similarity is under the threshold, else `undefined`. */
export function noGoodMatchLine(best: number | undefined, threshold: number): string | undefined {
  if (best !== undefined && best >= threshold) return undefined;
  const found = best === undefined ? "no dense hit" : `best dense cosine similarity ${best.toFixed(3)}`;
  return `No good match: ${found} < ${threshold} (--min-similarity); the hits below are probably unrelated.`;
}
