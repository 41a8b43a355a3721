import type { Embedder } from "@ragloom/core";
import { cosineSimilarity as cosine, throwIfAborted } from "@ragloom/core";
import {
  type SelectionScope,
  type SentenceSelection,
  validateNeighbors,
  validateSelection,
} from "./select.js";
import { compressBySentences } from "./sentence-compress.js";
import { intlSentenceSplitter, type SentenceSplitter } from "./sentences.js";
import type { DocumentCompressor, WarningHandler } from "./types.js";
import { assertQuery, embedUnique } from "./vectors.js";
import { resolveWarning } from "./warnings.js";

/** Options of {@link createSentenceExtractor}. */
export interface SentenceExtractorOptions {
  /** Embeds the query (`embedQuery`) and the sentences (`embedDocuments`, one batched call per compress). */
  embedder: Embedder;
  /** Which sentences to keep; see {@link SentenceSelection}. */
  select: SentenceSelection;
  /**
   * Whether `fraction`, `count` and `budget` apply per document or across all documents
   * (`threshold` is the same either way).
   * @default "document"
   */
  scope?: SelectionScope;
  /**
   * Also keep this many sentences before and after each selected sentence, for context. With
   * `budget` they count against the budget (a sentence is added alone if its window does not fit);
   * with `fraction`/`count` they come on top of the quota; with `ratio` they count against it.
   * @default 0
   */
  neighbors?: number;
  /**
   * How the sentences of a document are weighed:
   * - `sentence`: cosine similarity of the sentence and the query;
   * - `sentence+document`: that plus `documentWeight` times the cosine similarity of the whole
   *   document (its carried `vector` when present) and the query, so that sentences of a relevant
   *   document outrank equally similar sentences of an off-topic one (useful with `scope: "all"`).
   * @default "sentence"
   */
  scoring?: "sentence" | "sentence+document";
  /**
   * Weight of the document similarity in `sentence+document` scoring.
   * @default 4 (on SciFact train, with `ratio: 0.5` over all of the top 10, weights 1, 2, 4, 8 kept
   *   94.1%, 95.4%, 96.2%, 96.4% of the evidence sentences; see bench/compression.ts)
   */
  documentWeight?: number;
  /** Splits a text into sentences. @default intlSentenceSplitter("en") (Intl.Segmenter) */
  splitter?: SentenceSplitter;
  /** Joins the kept sentences of a document. @default " " */
  separator?: string;
  /** Receives warnings (e.g. a sentence longer than the budget). @default the handler passed down by `pipeline`/`withCompression`, else console.warn */
  onWarning?: WarningHandler;
}

/**
 * Sentence extraction: splits each document into sentences, scores each sentence against the
 * query with the embedder (cosine similarity, in [-1, 1]) and keeps the best ones, in their original
 * order, optionally with neighbouring sentences. Documents left with no sentence are dropped.
 *
 * Same idea as LangChain's `EmbeddingsFilter` applied after a sentence splitter
 * (`DocumentCompressorPipeline`), and as extractive compression baselines in RECOMP
 * (Xu et al., 2023, "RECOMP: Improving Retrieval-Augmented LMs with Compression and Selective
 * Augmentation").
 * @throws ValidationError for a bad option or an empty query.
 */
export function createSentenceExtractor(options: SentenceExtractorOptions): DocumentCompressor {
  const {
    embedder,
    select,
    scope = "document",
    neighbors = 0,
    scoring = "sentence",
    documentWeight = 4,
    splitter = intlSentenceSplitter("en"),
    separator = " ",
    onWarning,
  } = options;
  validateSelection(select);
  validateNeighbors(neighbors);
  const label =
    select.by === "threshold"
      ? `>=${select.threshold}`
      : select.by === "fraction"
        ? `top ${select.fraction}`
        : select.by === "count"
          ? `top ${select.count}`
          : select.by === "budget"
            ? `<=${select.maxTokens} tokens`
            : `${select.ratio} of tokens`;
  const name = `sentence-extractor(${label}, ${scope}${neighbors ? `, ±${neighbors}` : ""}${
    scoring === "sentence" ? "" : `, +${documentWeight}·doc`
  })`;
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
        select,
        scope,
        neighbors,
        onWarning: warn,
        score: async (sentences) => {
          const q = await embedder.embedQuery(query, { signal });
          const flat = sentences.flat();
          const needDocs = scoring === "sentence+document";
          const docsToEmbed = needDocs
            ? documents.filter((d) => d.vector?.length !== embedder.dimensions).map((d) => d.text)
            : [];
          const vecs = await embedUnique(embedder, [...flat, ...docsToEmbed], signal);
          let k = 0;
          let j = flat.length;
          return sentences.map((s, d) => {
            let bonus = 0;
            if (needDocs) {
              const doc = documents[d]!;
              const dv = doc.vector?.length === embedder.dimensions ? doc.vector : vecs[j++]!;
              bonus = documentWeight * cosine(q, dv);
            }
            return s.map(() => cosine(q, vecs[k++]!) + bonus);
          });
        },
      });
    },
  };
}
