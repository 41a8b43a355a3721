import type { Embedder, VectorStore } from "@ragloom/core";
import { cosineSimilarity as cosine, throwIfAborted, ValidationError } from "@ragloom/core";
import type { DocumentCompressor, WarningHandler } from "./types.js";
import { assertQuery, documentVectors, type VectorStats } from "./vectors.js";
import { resolveWarning } from "./warnings.js";

/**
 * Options of {@link createEmbeddingsFilter}. At least one of `threshold`, `k` and `ratio` is
 * required; when several are given, a document must pass all of them.
 */
export interface EmbeddingsFilterOptions {
  /** Embeds the query and, when no vector is at hand, the documents. */
  embedder: Embedder;
  /** Keep documents whose cosine similarity to the query is >= this (in [-1, 1]). @default undefined */
  threshold?: number;
  /** @deprecated the former name of `threshold` (LangChain's `similarity_threshold`). */
  similarityThreshold?: number;
  /** Keep at most the `k` most similar documents (after the threshold). @default undefined */
  k?: number;
  /**
   * Keep at most the most similar `ceil(ratio * n)` of the `n` input documents, `ratio` in (0, 1]:
   * a share instead of a count. @default undefined
   */
  ratio?: number;
  /**
   * Where to fetch stored vectors by id for documents that carry none (`store.get`); a stored
   * vector is used only when the stored text equals the document's text.
   * @default undefined
   */
  store?: VectorStore;
  /**
   * Order of the result: `input` keeps the input order, `similarity` sorts by similarity, best first.
   * @default "input"
   */
  order?: "input" | "similarity";
  /** Called once per compress with how the document vectors were obtained. @default undefined */
  onVectors?: (stats: VectorStats) => void;
  /** Receives `vector-ignored` warnings. @default the handler passed down by `pipeline`/`withCompression`, else console.warn */
  onWarning?: WarningHandler;
}

/**
 * Embeddings filter: keeps the documents whose embedding is similar enough to the query's
 * (threshold, top-k and/or top share). Reuses vectors instead of re-embedding: a document's own `vector`
 * (vector-store hits queried with `includeVectors: true`), else the record in `store`, else it
 * embeds the text. Scores are left untouched.
 *
 * Reference: LangChain `EmbeddingsFilter` (`similarity_threshold`, `k`).
 * @throws ValidationError when none of `threshold`, `k` and `ratio` is given, for `k` < 1, a
 *   `ratio` outside (0, 1], or two different thresholds.
 */
export function createEmbeddingsFilter(options: EmbeddingsFilterOptions): DocumentCompressor {
  const { embedder, k, ratio, store, order = "input", onVectors, onWarning } = options;
  if (
    options.threshold !== undefined &&
    options.similarityThreshold !== undefined &&
    options.threshold !== options.similarityThreshold
  ) {
    throw new ValidationError("give threshold or its former name similarityThreshold, not both");
  }
  const threshold = options.threshold ?? options.similarityThreshold;
  if (threshold === undefined && k === undefined && ratio === undefined) {
    throw new ValidationError("embeddings filter needs threshold, k and/or ratio");
  }
  if (threshold !== undefined && !Number.isFinite(threshold)) {
    throw new ValidationError("threshold must be a finite number");
  }
  if (k !== undefined && (!Number.isInteger(k) || k < 1))
    throw new ValidationError("k must be an integer >= 1");
  if (ratio !== undefined && !(ratio > 0 && ratio <= 1)) throw new ValidationError("ratio must be in (0, 1]");
  const parts = [
    threshold !== undefined ? `>=${threshold}` : "",
    k !== undefined ? `k=${k}` : "",
    ratio !== undefined ? `ratio=${ratio}` : "",
  ].filter(Boolean);
  const name = `embeddings-filter(${parts.join(", ")})`;
  return {
    name,
    async compress(documents, query, opts = {}) {
      assertQuery(query);
      const { signal } = opts;
      throwIfAborted(signal);
      const warn = resolveWarning(onWarning, opts.onWarning);
      if (documents.length === 0) return [];
      const q = await embedder.embedQuery(query, { signal });
      const { vectors, stats } = await documentVectors(documents, {
        embedder,
        store,
        signal,
        compressor: name,
        onWarning: warn,
      });
      onVectors?.(stats);
      let ranked = documents
        .map((doc, i) => ({ doc, i, sim: cosine(q, vectors[i]!) }))
        .filter((r) => threshold === undefined || r.sim >= threshold)
        .sort((a, b) => b.sim - a.sim || a.i - b.i);
      if (ratio !== undefined) ranked = ranked.slice(0, Math.ceil(ratio * documents.length));
      if (k !== undefined) ranked = ranked.slice(0, k);
      if (order === "input") ranked.sort((a, b) => a.i - b.i);
      return ranked.map((r) => r.doc);
    },
  };
}
