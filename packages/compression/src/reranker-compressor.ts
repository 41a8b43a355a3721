import type { Reranker, ScoredDocument } from "@ragloom/core";
import { throwIfAborted, ValidationError } from "@ragloom/core";
import type { DocumentCompressor } from "./types.js";
import { assertQuery } from "./vectors.js";

/** Options of {@link createRerankerCompressor}. */
export interface RerankerCompressorOptions {
  /** Any core `Reranker`, e.g. a cross-encoder. */
  reranker: Reranker;
  /** Keep this many documents. @default 3 */
  topN?: number;
  /** Also drop documents whose reranker score is below this. @default undefined */
  minScore?: number;
  /**
   * `reranked`: best first by reranker score, with `score` replaced by the reranker's score (the
   * `Reranker` contract); `input`: the kept documents in input order with their original scores.
   * @default "reranked"
   */
  order?: "reranked" | "input";
}

/**
 * Reranker-based compression: keeps the top-n documents after a reranker. Documents without a
 * `score` are passed to the reranker with `score: 0`. Every other field of a kept document (text,
 * metadata, vector, ...) is the input's.
 *
 * Reference: LangChain `CrossEncoderReranker` / `CohereRerank` used as document compressors.
 * @throws ValidationError for `topN` < 1; ServiceError or others as thrown by the reranker.
 */
export function createRerankerCompressor(options: RerankerCompressorOptions): DocumentCompressor {
  const { reranker, topN = 3, minScore, order = "reranked" } = options;
  if (!Number.isInteger(topN) || topN < 1) throw new ValidationError("topN must be an integer >= 1");
  const name = `reranker(top ${topN}${minScore !== undefined ? `, >=${minScore}` : ""})`;
  return {
    name,
    async compress(documents, query, opts = {}) {
      assertQuery(query);
      const { signal } = opts;
      throwIfAborted(signal);
      if (documents.length === 0) return [];
      const byId = new Map<string, number>();
      documents.forEach((d, i) => {
        if (!byId.has(d.id)) byId.set(d.id, i);
      });
      const input: ScoredDocument[] = documents.map((d) => ({
        id: d.id,
        text: d.text,
        metadata: d.metadata,
        score: d.score ?? 0,
      }));
      const ranked = await reranker.rerank(query, input, { k: topN, signal });
      throwIfAborted(signal);
      const kept: Array<{ i: number; score: number }> = [];
      const used = new Set<number>();
      for (const r of ranked) {
        const i = byId.get(r.id);
        if (i === undefined || used.has(i)) continue;
        if (minScore !== undefined && r.score < minScore) continue;
        used.add(i);
        kept.push({ i, score: r.score });
        if (kept.length === topN) break;
      }
      if (order === "input") {
        return kept.sort((a, b) => a.i - b.i).map(({ i }) => documents[i]!);
      }
      return kept.map(({ i, score }) => ({ ...documents[i]!, score }));
    },
  };
}
