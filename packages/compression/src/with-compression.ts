import type { RetrievalResult, RetrieveOptions, Retriever, ScoredDocument } from "@ragloom/core";
import { wordTokenizer } from "./tokenizers.js";
import type { DocumentCompressor, Tokenizer, WarningHandler } from "./types.js";

/** What {@link withCompression} reports in `info.compression` of every result. */
export interface CompressionInfo {
  /** `name` of the compressor. */
  compressor: string;
  /** `name` of the tokenizer that counted (`words`, or e.g. `tiktoken:cl100k_base`). */
  tokenizer: string;
  /** Sum of the token counts of the retrieved texts. */
  tokensBefore: number;
  /** Sum of the token counts of the compressed texts. */
  tokensAfter: number;
  /** `1 - tokensAfter / tokensBefore`, in [0, 1] (0 when nothing was retrieved). */
  reduction: number;
  documentsBefore: number;
  documentsAfter: number;
}

/** Options of {@link withCompression}. */
export interface WithCompressionOptions {
  /**
   * Counts the tokens reported in `info.compression`, e.g.
   * `await loadTiktokenTokenizer("cl100k_base")` for the tokens of an OpenAI model.
   * @default wordTokenizer (words)
   */
  tokenizer?: Tokenizer;
  /**
   * Receives the warnings of the compressor (and of every stage of a `pipeline`) that has no
   * `onWarning` of its own. @default undefined (the compressor's own handler, else console.warn)
   */
  onWarning?: WarningHandler;
  /**
   * Ask the inner retriever for the stored vector of each hit (`includeVectors: true`, understood
   * by `createRetriever`), so that embedding-based compressors reuse it instead of embedding the
   * document again. The vectors are removed from the returned documents unless the caller asked
   * for them in `retrieve(query, { includeVectors: true })`.
   * @default true
   */
  includeVectors?: boolean;
}

/** Options of {@link CompressionRetriever.retrieve}. */
export interface CompressionRetrieveOptions extends RetrieveOptions {
  /** Also return the stored vector of each document the compressor left whole. @default false */
  includeVectors?: boolean;
}

/** The retriever returned by {@link withCompression}. */
export interface CompressionRetriever extends Retriever {
  retrieve(query: string, options?: CompressionRetrieveOptions): Promise<RetrievalResult>;
}

/**
 * Contextual compression retriever: retrieves with `retriever`, then compresses the documents with
 * `compressor` against the same query. Returns a `Retriever`; each result carries the inner timings
 * plus `compress` (ms) and an updated `total`, and `info.compression` ({@link CompressionInfo})
 * with the tokens before and after. Options (`k`, `filter`, `signal`, ...) go to the inner
 * retriever; `signal` and the `onWarning` of {@link WithCompressionOptions} to the compressor.
 *
 * Reference: LangChain `ContextualCompressionRetriever`.
 * @throws whatever the inner retriever or the compressor throws.
 */
export function withCompression(
  retriever: Retriever,
  compressor: DocumentCompressor,
  options: WithCompressionOptions = {},
): CompressionRetriever {
  const tok = options.tokenizer ?? wordTokenizer;
  const includeVectors = options.includeVectors ?? true;
  return {
    async retrieve(
      query: string,
      retrieveOptions: CompressionRetrieveOptions = {},
    ): Promise<RetrievalResult> {
      const askedVectors = retrieveOptions.includeVectors === true;
      const inner = await retriever.retrieve(
        query,
        includeVectors ? { ...retrieveOptions, includeVectors: true } : retrieveOptions,
      );
      const start = performance.now();
      const compressed = await compressor.compress(inner.documents, query, {
        signal: retrieveOptions.signal,
        onWarning: options.onWarning,
      });
      const compress = performance.now() - start;
      const documents = askedVectors ? compressed : compressed.map(withoutVector);
      const count = (docs: { text: string }[]) => docs.reduce((s, d) => s + tok.count(d.text), 0);
      const tokensBefore = count(inner.documents);
      const tokensAfter = count(documents);
      const info: CompressionInfo = {
        compressor: compressor.name,
        tokenizer: tok.name,
        tokensBefore,
        tokensAfter,
        reduction: tokensBefore > 0 ? 1 - tokensAfter / tokensBefore : 0,
        documentsBefore: inner.documents.length,
        documentsAfter: documents.length,
      };
      const innerTotal =
        inner.timings.total ??
        Object.values(inner.timings).reduce<number>((s, v) => s + (typeof v === "number" ? v : 0), 0);
      return {
        documents,
        timings: { ...inner.timings, compress, total: innerTotal + compress },
        info: { ...inner.info, compression: info },
      };
    },
  };
}

function withoutVector(doc: ScoredDocument & { vector?: unknown }): ScoredDocument {
  if (doc.vector === undefined) return doc;
  const { vector: _v, ...rest } = doc;
  return rest;
}
