import type { Embedder, VectorStore } from "@ragloom/core";
import { cosineSimilarity as cosine, throwIfAborted, ValidationError } from "@ragloom/core";
import { intlSentenceSplitter, type SentenceSplitter } from "./sentences.js";
import type { DocumentCompressor, WarningHandler } from "./types.js";
import { assertQuery, documentVectors, embedUnique, withText } from "./vectors.js";
import { resolveWarning } from "./warnings.js";

/** Options of {@link createRedundancyFilter}. */
export interface RedundancyFilterOptions {
  /** Embeds documents or sentences that carry no vector. */
  embedder: Embedder;
  /**
   * Drop an item whose cosine similarity to an earlier kept item is >= this.
   * @default 0.95 (LangChain `EmbeddingsRedundantFilter.similarity_threshold`)
   */
  threshold?: number;
  /**
   * `document`: drop near-duplicate documents (vectors reused as in the embeddings filter);
   * `sentence`: drop near-duplicate sentences across all documents (each kept at its first
   * occurrence, in input order); documents left empty are dropped.
   * @default "document"
   */
  level?: "document" | "sentence";
  /** For `document` level: stored vectors to reuse, fetched by id. @default undefined */
  store?: VectorStore;
  /** For `sentence` level. @default intlSentenceSplitter("en") */
  splitter?: SentenceSplitter;
  /** For `sentence` level: joins the kept sentences. @default " " */
  separator?: string;
  /** @default the handler passed down by `pipeline`/`withCompression`, else console.warn */
  onWarning?: WarningHandler;
}

/**
 * Redundancy filter: walks the documents (or sentences) in input order, best first, and drops every
 * one that is a near duplicate (cosine similarity >= `threshold`) of one already kept, so the first,
 * best-ranked copy survives. Exact duplicates (same text) are always dropped after the first.
 *
 * Reference: LangChain `EmbeddingsRedundantFilter` (which drops the later of each redundant pair).
 * @throws ValidationError for a threshold outside [-1, 1].
 */
export function createRedundancyFilter(options: RedundancyFilterOptions): DocumentCompressor {
  const {
    embedder,
    threshold = 0.95,
    level = "document",
    store,
    splitter = intlSentenceSplitter("en"),
    separator = " ",
    onWarning,
  } = options;
  if (!(threshold >= -1 && threshold <= 1)) throw new ValidationError("threshold must be in [-1, 1]");
  if (level !== "document" && level !== "sentence") throw new ValidationError(`unknown level ${level}`);
  const name = `redundancy-filter(${level}, >=${threshold})`;

  /** Indices of items kept: the first of every near-duplicate cluster. */
  const keepFirst = (vectors: Array<Float32Array | number[]>, texts: string[]) => {
    const kept: number[] = [];
    const seen = new Set<string>();
    vectors.forEach((v, i) => {
      if (seen.has(texts[i]!)) return;
      if (kept.some((j) => cosine(v, vectors[j]!) >= threshold)) return;
      seen.add(texts[i]!);
      kept.push(i);
    });
    return new Set(kept);
  };

  return {
    name,
    async compress(documents, query, opts = {}) {
      assertQuery(query);
      const { signal } = opts;
      throwIfAborted(signal);
      const warn = resolveWarning(onWarning, opts.onWarning);
      if (documents.length === 0) return [];
      if (level === "document") {
        const { vectors } = await documentVectors(documents, {
          embedder,
          store,
          signal,
          compressor: name,
          onWarning: warn,
        });
        const kept = keepFirst(
          vectors,
          documents.map((d) => d.text),
        );
        return documents.filter((_, i) => kept.has(i));
      }
      const sentences = documents.map((d) => splitter(d.text));
      const flat = sentences.flat();
      const kept = keepFirst(await embedUnique(embedder, flat, signal), flat);
      const out: typeof documents = [];
      let k = 0;
      documents.forEach((d, i) => {
        const s = sentences[i]!;
        const mine = s.filter(() => kept.has(k++));
        if (mine.length === 0) return;
        out.push(mine.length === s.length ? d : withText(d, mine.join(separator)));
      });
      return out;
    },
  };
}
