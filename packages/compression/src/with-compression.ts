import type { RetrievalResult, RetrieveOptions, Retriever } from "@ragloom/core";
import { loadTiktokenTokenizer } from "./tokenizers.js";
import type { DocumentCompressor, Tokenizer } from "./types.js";

/** What {@link withCompression} reports in `info.compression` of every result. */
export interface CompressionInfo {
  /** `name` of the compressor. */
  compressor: string;
  /** `name` of the tokenizer that counted (e.g. `tiktoken:cl100k_base`). */
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
   * Counts the tokens reported in `info.compression`.
   * @default loadTiktokenTokenizer("cl100k_base"), loaded lazily on the first retrieval
   */
  tokenizer?: Tokenizer;
}

/**
 * Contextual compression retriever: retrieves with `retriever`, then compresses the documents with
 * `compressor` against the same query. Returns a `Retriever`; each result carries the inner timings
 * plus `compress` (ms) and an updated `total`, and `info.compression` ({@link CompressionInfo})
 * with the tokens before and after. Options (`k`, `filter`, `signal`) go to the inner retriever;
 * `signal` also to the compressor.
 *
 * Reference: LangChain `ContextualCompressionRetriever`.
 */
export function withCompression(
  retriever: Retriever,
  compressor: DocumentCompressor,
  options: WithCompressionOptions = {},
): Retriever {
  let tokenizer: Tokenizer | Promise<Tokenizer> | undefined = options.tokenizer;
  const getTokenizer = async () => {
    tokenizer ??= loadTiktokenTokenizer("cl100k_base");
    return tokenizer;
  };
  return {
    async retrieve(query: string, retrieveOptions: RetrieveOptions = {}): Promise<RetrievalResult> {
      const inner = await retriever.retrieve(query, retrieveOptions);
      const tok = await getTokenizer();
      const start = performance.now();
      const documents = await compressor.compress(inner.documents, query, { signal: retrieveOptions.signal });
      const compress = performance.now() - start;
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
