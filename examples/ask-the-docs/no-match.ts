/**
 * The "no good match" check of ask-the-docs. Fused (hybrid) and BM25 scores have no absolute
 * meaning, so whether the index holds anything related to a question is judged on the raw cosine
 * similarity of the best dense hit, from a dense-only search of the vector store.
 */
import type { Filter, HybridRetriever } from "@ragloom/core";

/**
 * Default `--min-similarity`: best dense cosine similarity (all-MiniLM-L6-v2, fp32, 200-token
 * chunks) under which a question is reported as having no good match.
 *
 * Measured, not chosen by hand, by `calibrate-threshold.ts` in this folder: it is the cut point
 * with the best balanced accuracy (Youden's J) between the best dense cosine of 300 SciFact train
 * claims over a 1,000-abstract SciFact sample holding their relevant abstracts (related: p5 0.432,
 * median 0.640), and of 626 npm package descriptions over that sample plus all 809 SciFact train
 * claims over this example's English docs index (unrelated: medians 0.247 and 0.214, p95 0.370 and
 * 0.302). At 0.39, 98.0% of the related questions pass and 98.3% of the unrelated ones are flagged.
 * SciFact: Wadden et al., "Fact or Fiction: Verifying Scientific Claims", EMNLP 2020 (BEIR version).
 */
export const DEFAULT_MIN_SIMILARITY = 0.39;

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
