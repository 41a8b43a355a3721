import type { Embedder } from "@ragloom/core";
import { cosineSimilarity as cosine, throwIfAborted, ValidationError } from "@ragloom/core";
import { bm25Scores } from "./lexical-scores.js";
import {
  type SelectionScope,
  type SentenceSelection,
  validateNeighbors,
  validateSelection,
} from "./select.js";
import { compressBySentences } from "./sentence-compress.js";
import { combineSentenceScores, type SentenceScoring } from "./sentence-scores.js";
import { intlSentenceSplitter, type SentenceSplitter } from "./sentences.js";
import type { DocumentCompressor, WarningHandler } from "./types.js";
import { assertQuery, embedUnique } from "./vectors.js";
import { resolveWarning } from "./warnings.js";

/**
 * Score margin of the default selection, in standard deviations of the default
 * `scoring: "hybrid"`: every sentence scoring at least the best sentence's score minus this is
 * kept. Chosen from the hybrid margin curve of `bench/compression.ts` (BEIR SciFact train, the 70%
 * of the claims used for tuning, with 5 and with 10 retrieved documents each, `documentWeight`
 * {@link DEFAULT_DOCUMENT_WEIGHT}, {@link DEFAULT_BEST_SENTENCE_WEIGHT}): the smallest margin (in
 * steps of 0.25) that keeps at least 95% of the gold evidence sentences with both.
 */
export const DEFAULT_MARGIN = 5.5;
/**
 * Default `documentWeight` of `scoring: "hybrid"`, in standard deviations of the sentence score per
 * standard deviation of document relevance. Chosen on the same tuning claims: of the weights 1 to 5,
 * the one whose smallest margin keeping 95% of the evidence with 5 and 10 documents cuts the most
 * words with 5 documents.
 */
export const DEFAULT_DOCUMENT_WEIGHT = 3;
/**
 * Default margin with `scoring: "sentence"` or `"sentence+document"` (scores in cosine units).
 * Chosen as {@link DEFAULT_MARGIN} is, on the `sentence+document` margin curve (steps of 0.05).
 */
export const DEFAULT_COSINE_MARGIN = 0.8;
/** Default `documentWeight` with `scoring: "sentence+document"` (document relevance in [0, 1]). */
export const DEFAULT_COSINE_DOCUMENT_WEIGHT = 1;
/** Default `lexicalWeight`: cosine and BM25 weigh the same in a document's relevance (measured with {@link DEFAULT_MARGIN}). */
export const DEFAULT_LEXICAL_WEIGHT = 0.5;
/**
 * Default `contextWeight`: 0. On the tuning claims of `bench/compression.ts`, at 95% of the
 * evidence with 5 and 10 documents, scoring neighbours gained at most about a point of words cut
 * with hybrid scoring and no best-sentence share (weights 0.25, 0.5, 1, not consistently), and
 * lost 0.6 points with the defaults (0.5).
 */
export const DEFAULT_CONTEXT_WEIGHT = 0;
/**
 * Default `bestSentenceWeight` of `scoring: "hybrid"`: 0, a document's relevance is that of the
 * whole document. On the tuning claims of `bench/compression.ts` a share of 0.5 from the
 * document's best sentence (best-passage evidence: Callan 1994; Dai & Callan 2019) cut the most
 * words at 95% of the evidence (60.6% against 54.9% with 5 documents), but on the held-out claims
 * it kept only 92.1% of the evidence at its margin, against 96.6% without it: the gain did not
 * carry over, so the default leaves it out. Set it to trade evidence for words.
 */
export const DEFAULT_BEST_SENTENCE_WEIGHT = 0;
/** Default `sentenceLexicalWeight`: cosine and BM25 weigh the same in a sentence's own hybrid score. */
export const DEFAULT_SENTENCE_LEXICAL_WEIGHT = 0.5;

/** Options of {@link createSentenceExtractor}. */
export interface SentenceExtractorOptions {
  /**
   * Embeds the query (`embedQuery`) and the sentences (`embedDocuments`, one batched call per
   * compress). Give it `withSentenceEmbeddings(embedder)`, also used by the retriever, to have the
   * sentence vectors computed once at ingest instead.
   */
  embedder: Embedder;
  /**
   * Which sentences to keep; see {@link SentenceSelection}. For a fixed share of the words, use
   * `{ by: "ratio", ratio }`.
   * @default { by: "margin", margin: DEFAULT_MARGIN } with `scoring: "hybrid"`, `DEFAULT_COSINE_MARGIN`
   *   otherwise (the sentences scoring close to the best one)
   */
  select?: SentenceSelection;
  /**
   * Whether `margin`, `fraction`, `count`, `budget` and `ratio` apply per document or across all documents
   * (`threshold` is the same either way). Across all, the budget goes to the relevant documents
   * first; per document, every document keeps the same share.
   * @default "all"
   */
  scope?: SelectionScope;
  /**
   * Also keep this many sentences before and after each selected sentence, whatever they score.
   * With `budget` and `ratio` they count against it (a sentence is added alone if its window does
   * not fit); with `fraction`/`count` they come on top of the quota. `contextWeight` keeps a
   * neighbour only where it scores well enough to pay for its words.
   * @default 0
   */
  neighbors?: number;
  /**
   * What a sentence's score adds to its own cosine similarity to the query:
   * - `sentence`: nothing;
   * - `sentence+document`: `documentWeight` times the relevance of its document among the
   *   documents of the call, in [0, 1] (see `lexicalWeight`), so that sentences of the most relevant
   *   documents outrank equally similar sentences of off-topic ones.
   * - `hybrid`: a sentence's own score is the convex combination `(1 − sentenceLexicalWeight)·z(cosine)
   *   + sentenceLexicalWeight·z(BM25)` of z-scores over the sentences of its document (the hybrid
   *   fusion of core's retriever, Bruch, Gai & Ingber, ACM TOIS 2023), plus `documentWeight` times
   *   the same fusion of its document's cosine and BM25 (`lexicalWeight`) as z-scores over the
   *   documents of the call (optionally partly from its best sentence, `bestSentenceWeight`).
   *   Scores are in standard deviations, so a `margin` is too.
   * All add `contextWeight` times the best score of the sentences right before and after it.
   * @default "hybrid"
   */
  scoring?: "sentence" | "sentence+document" | "hybrid";
  /**
   * Weight of the document relevance in `hybrid` and `sentence+document` scoring (>= 0; 0: none).
   * @default DEFAULT_DOCUMENT_WEIGHT with `hybrid`, DEFAULT_COSINE_DOCUMENT_WEIGHT with `sentence+document`
   */
  documentWeight?: number;
  /**
   * How a document's relevance is made: `1 - lexicalWeight` times its cosine similarity to the query
   * (its carried `vector` when present), plus `lexicalWeight` times its BM25 score for the query
   * among the documents of the call (BM25 with core's analyzer, Robertson and Zaragoza, 2009), each
   * normalised over those documents: as z-scores with `hybrid`, min-max to [0, 1] with
   * `sentence+document` (the best one gets 1, the worst 0). Exact words of the query (names,
   * numbers, rare terms) then count as well as meaning.
   * @default DEFAULT_LEXICAL_WEIGHT
   */
  lexicalWeight?: number;
  /**
   * Weight of the neighbours' similarity: a sentence next to a relevant one scores higher, so the
   * evidence that spans two sentences, or a sentence that only makes sense after the one before,
   * is kept, while a neighbour of weak sentences is not (>= 0; 0 turns it off).
   * @default DEFAULT_CONTEXT_WEIGHT
   */
  contextWeight?: number;
  /**
   * With `scoring: "hybrid"`: the BM25 share of a sentence's own score, in [0, 1] (its BM25 score
   * for the query among all the sentences of the call, fused with its cosine similarity as
   * z-scores over the sentences of its document; 0: cosine only).
   * @default DEFAULT_SENTENCE_LEXICAL_WEIGHT
   */
  sentenceLexicalWeight?: number;
  /**
   * Share of a document's relevance that comes from its best sentence, in [0, 1]: its relevance is
   * `(1 − w)` times the fusion of the whole document's cosine and BM25 plus `w` times the same
   * fusion of the best sentence cosine and best sentence BM25 among its sentences (best-passage
   * evidence: Callan, SIGIR 1994; BERT-MaxP, Dai & Callan, SIGIR 2019), each normalised over the
   * documents of the call. A document is then relevant when one passage of it answers the query.
   * @default DEFAULT_BEST_SENTENCE_WEIGHT with `hybrid`, 0 with `sentence+document`
   */
  bestSentenceWeight?: number;
  /** Splits a text into sentences. @default intlSentenceSplitter("en") (Intl.Segmenter) */
  splitter?: SentenceSplitter;
  /** Joins the kept sentences of a document. @default " " */
  separator?: string;
  /**
   * Receives warnings (e.g. a sentence longer than the budget).
   * @default the handler passed down by `pipeline`/`withCompression`, else console.warn
   */
  onWarning?: WarningHandler;
}

/**
 * Sentence extraction: splits each document into sentences, scores each sentence against the query
 * in the context of its document (its own score, plus `contextWeight` times its best neighbour's,
 * plus `documentWeight` times its document's relevance) and keeps the best ones, in their original
 * order. With the defaults (`scoring: "hybrid"`: cosine and BM25 as z-scores) it keeps, over all
 * documents together, every sentence that scores within {@link DEFAULT_MARGIN} standard deviations
 * of the best one. Documents left with no sentence are dropped. `threshold` selection applies to
 * this combined score (a plain cosine threshold with `scoring: "sentence"` and `contextWeight: 0`).
 *
 * Same idea as LangChain's `EmbeddingsFilter` applied after a sentence splitter
 * (`DocumentCompressorPipeline`), and as the extractive compression baselines of RECOMP (Xu et
 * al., 2023, "RECOMP: Improving Retrieval-Augmented LMs with Compression and Selective
 * Augmentation"); the budget as a share of the input follows LLMLingua's `rate` (Jiang et al.,
 * EMNLP 2023).
 * @throws ValidationError for a bad option or an empty query.
 */
export function createSentenceExtractor(options: SentenceExtractorOptions): DocumentCompressor {
  const scoring = options.scoring ?? "hybrid";
  const {
    embedder,
    select = { by: "margin", margin: scoring === "hybrid" ? DEFAULT_MARGIN : DEFAULT_COSINE_MARGIN },
    scope = "all",
    neighbors = 0,
    documentWeight = scoring === "hybrid" ? DEFAULT_DOCUMENT_WEIGHT : DEFAULT_COSINE_DOCUMENT_WEIGHT,
    lexicalWeight = DEFAULT_LEXICAL_WEIGHT,
    contextWeight = DEFAULT_CONTEXT_WEIGHT,
    sentenceLexicalWeight = DEFAULT_SENTENCE_LEXICAL_WEIGHT,
    bestSentenceWeight = scoring === "hybrid" ? DEFAULT_BEST_SENTENCE_WEIGHT : 0,
    splitter = intlSentenceSplitter("en"),
    separator = " ",
    onWarning,
  } = options;
  validateSelection(select);
  validateNeighbors(neighbors);
  if (scope !== "all" && scope !== "document") throw new ValidationError(`unknown scope ${String(scope)}`);
  if (scoring !== "sentence" && scoring !== "sentence+document" && scoring !== "hybrid") {
    throw new ValidationError(`unknown scoring ${String(scoring)}`);
  }
  if (!(documentWeight >= 0 && Number.isFinite(documentWeight))) {
    throw new ValidationError("documentWeight must be a finite number >= 0");
  }
  if (!(lexicalWeight >= 0 && lexicalWeight <= 1))
    throw new ValidationError("lexicalWeight must be in [0, 1]");
  if (!(contextWeight >= 0 && Number.isFinite(contextWeight))) {
    throw new ValidationError("contextWeight must be a finite number >= 0");
  }
  if (!(sentenceLexicalWeight >= 0 && sentenceLexicalWeight <= 1)) {
    throw new ValidationError("sentenceLexicalWeight must be in [0, 1]");
  }
  if (!(bestSentenceWeight >= 0 && bestSentenceWeight <= 1)) {
    throw new ValidationError("bestSentenceWeight must be in [0, 1]");
  }

  const label =
    select.by === "threshold"
      ? `>=${select.threshold}`
      : select.by === "margin"
        ? `within ${select.margin} of the best`
        : select.by === "fraction"
          ? `top ${select.fraction}`
          : select.by === "count"
            ? `top ${select.count}`
            : select.by === "budget"
              ? `<=${select.maxTokens} ${select.tokenizer.name}`
              : `${select.ratio} of ${select.tokenizer?.name ?? "words"}`;
  const hybrid = scoring === "hybrid";
  const useDocs = scoring !== "sentence" && documentWeight > 0;
  const useSentenceLexical = hybrid && sentenceLexicalWeight > 0;
  const name = `sentence-extractor(${label}, ${scope}${neighbors ? `, ±${neighbors}` : ""}${
    hybrid ? `, hybrid${useSentenceLexical ? ` (${sentenceLexicalWeight} BM25)` : ""}` : ""
  }${contextWeight ? `, +${contextWeight}·neighbour` : ""}${
    useDocs
      ? `, +${documentWeight}·doc${lexicalWeight ? ` (${lexicalWeight} BM25)` : ""}${
          bestSentenceWeight ? `, ${bestSentenceWeight} best sentence` : ""
        }`
      : ""
  })`;
  const weights: SentenceScoring = {
    normalization: hybrid ? "z-score" : "none",
    documentWeight: useDocs ? documentWeight : 0,
    lexicalWeight,
    sentenceLexicalWeight: useSentenceLexical ? sentenceLexicalWeight : 0,
    bestSentenceWeight: useDocs ? bestSentenceWeight : 0,
    contextWeight,
  };
  return {
    name,
    async compress(documents, query, opts = {}) {
      assertQuery(query);
      const { signal } = opts;
      throwIfAborted(signal);
      if (documents.length === 0) return [];
      return compressBySentences(documents, {
        compressor: name,
        splitter,
        separator,
        select,
        scope,
        neighbors,
        onWarning: resolveWarning(onWarning, opts.onWarning),
        score: async (sentences) => {
          const q = await embedder.embedQuery(query, { signal });
          const flat = sentences.flat();
          const docsToEmbed = useDocs
            ? documents.filter((d) => d.vector?.length !== embedder.dimensions).map((d) => d.text)
            : [];
          const vecs = await embedUnique(embedder, [...flat, ...docsToEmbed], signal);
          let k = 0;
          const cosines = sentences.map((s) => s.map(() => cosine(q, vecs[k++]!)));
          let lexical: number[][] | undefined;
          if (useSentenceLexical || (useDocs && bestSentenceWeight > 0 && lexicalWeight > 0)) {
            const all = bm25Scores(query, flat);
            let j = 0;
            lexical = sentences.map((s) => s.map(() => all[j++]!));
          }
          let documentCosine: number[] | undefined;
          let documentLexical: number[] | undefined;
          if (useDocs) {
            let j = flat.length;
            documentCosine = documents.map((doc) =>
              cosine(q, doc.vector?.length === embedder.dimensions ? doc.vector : vecs[j++]!),
            );
            if (lexicalWeight > 0)
              documentLexical = bm25Scores(
                query,
                documents.map((doc) => doc.text),
              );
          }
          return combineSentenceScores(
            { cosine: cosines, lexical, documentCosine, documentLexical },
            weights,
          );
        },
      });
    },
  };
}
