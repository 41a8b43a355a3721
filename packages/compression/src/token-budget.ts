import type { Embedder } from "@ragloom/core";
import { cosineSimilarity as cosine, throwIfAborted, ValidationError } from "@ragloom/core";
import { validateNeighbors } from "./select.js";
import { compressBySentences } from "./sentence-compress.js";
import { intlSentenceSplitter, type SentenceSplitter } from "./sentences.js";
import type { DocumentCompressor, Tokenizer, WarningHandler } from "./types.js";
import { assertQuery, embedUnique } from "./vectors.js";
import { resolveWarning } from "./warnings.js";

/** Options of {@link createTokenBudget}. */
export interface TokenBudgetOptions {
  /** Upper bound on the total tokens of all returned texts (sum of `tokenizer.count(doc.text)`). */
  maxTokens: number;
  /**
   * The tokenizer the budget is expressed in, e.g. `await loadTiktokenTokenizer("o200k_base")` for
   * the LLM, or `embedderTokenizer(embedder)`.
   */
  tokenizer: Tokenizer;
  /**
   * When given, sentences are packed best-first by cosine similarity to the query. Without it,
   * "best" is the input order: all sentences of the first document, then of the second, and so on
   * (right for documents already ranked or compressed upstream).
   * @default undefined
   */
  embedder?: Embedder;
  /** Sentences kept around each packed sentence when they fit (see the sentence extractor). @default 0 */
  neighbors?: number;
  /** @default intlSentenceSplitter("en") */
  splitter?: SentenceSplitter;
  /** @default " " */
  separator?: string;
  /** Receives `budget-too-small` warnings. @default the handler passed down by `pipeline`/`withCompression`, else console.warn */
  onWarning?: WarningHandler;
}

/**
 * Token budget: packs the best content of the documents into at most `maxTokens` tokens of a named
 * tokenizer, never cutting a sentence in half. Greedy packing in rank order (a sentence that does
 * not fit is skipped, later smaller ones may still fit), then the real count of the rebuilt texts is
 * checked and the lowest-ranked sentences are removed until it fits, so the bound is exact.
 * Kept sentences stay in their original order; documents left empty are dropped.
 * @throws ValidationError for a bad option or an empty query.
 */
export function createTokenBudget(options: TokenBudgetOptions): DocumentCompressor {
  const {
    maxTokens,
    tokenizer,
    embedder,
    neighbors = 0,
    splitter = intlSentenceSplitter("en"),
    separator = " ",
    onWarning,
  } = options;
  if (!Number.isInteger(maxTokens) || maxTokens < 1) {
    throw new ValidationError("maxTokens must be an integer >= 1");
  }
  if (!tokenizer || typeof tokenizer.count !== "function") throw new ValidationError("tokenizer is required");
  validateNeighbors(neighbors);
  const name = `token-budget(${maxTokens} ${tokenizer.name}${embedder ? ", by similarity" : ", in order"})`;
  return {
    name,
    async compress(documents, query, opts = {}) {
      assertQuery(query);
      const { signal } = opts;
      throwIfAborted(signal);
      const warn = resolveWarning(onWarning, opts.onWarning);
      if (documents.length === 0) return [];
      return compressBySentences(documents, {
        compressor: name,
        splitter,
        separator,
        select: { by: "budget", maxTokens, tokenizer },
        scope: "all",
        neighbors,
        onWarning: warn,
        score: async (sentences) => {
          if (!embedder) {
            // Input order: earlier documents and earlier sentences first.
            let rank = 0;
            return sentences.map((s) => s.map(() => -rank++));
          }
          const q = await embedder.embedQuery(query, { signal });
          const vecs = await embedUnique(embedder, sentences.flat(), signal);
          let k = 0;
          return sentences.map((s) => s.map(() => cosine(q, vecs[k++]!)));
        },
      });
    },
  };
}
