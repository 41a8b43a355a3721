import type { Embedder, VectorStore } from "@ragloom/core";
import { cosineSimilarity as cosine, throwIfAborted, ValidationError } from "@ragloom/core";
import type { DocumentCompressor, WarningHandler } from "./types.js";
import { assertQuery, documentVectors, type VectorStats } from "./vectors.js";
import { consoleWarning } from "./warnings.js";

/** Options of {@link createEmbeddingsFilter}. At least one of `similarityThreshold` and `k` is required. */
export interface EmbeddingsFilterOptions {
  /** Embeds the query and, when no vector is at hand, the documents. */
  embedder: Embedder;
  /** Keep documents whose cosine similarity to the query is >= this (in [-1, 1]). @default undefined */
  similarityThreshold?: number;
  /** Keep at most the `k` most similar documents (after the threshold). @default undefined */
  k?: number;
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
  /** Receives `vector-ignored` warnings. @default console.warn */
  onWarning?: WarningHandler;
}

/**
 * Embeddings filter: keeps the documents whose embedding is similar enough to the query's
 * (threshold and/or top-k). Reuses vectors instead of re-embedding: a document's own `vector`
 * (vector-store hits queried with `includeVectors: true`), else the record in `store`, else it
 * embeds the text. Scores are left untouched.
 *
 * Reference: LangChain `EmbeddingsFilter` (`similarity_threshold`, `k`).
 * @throws ValidationError when neither `similarityThreshold` nor `k` is given, or `k` < 1.
 */
export function createEmbeddingsFilter(options: EmbeddingsFilterOptions): DocumentCompressor {
  const {
    embedder,
    similarityThreshold,
    k,
    store,
    order = "input",
    onVectors,
    onWarning = consoleWarning,
  } = options;
  if (similarityThreshold === undefined && k === undefined) {
    throw new ValidationError("embeddings filter needs similarityThreshold and/or k");
  }
  if (similarityThreshold !== undefined && !Number.isFinite(similarityThreshold)) {
    throw new ValidationError("similarityThreshold must be a finite number");
  }
  if (k !== undefined && (!Number.isInteger(k) || k < 1))
    throw new ValidationError("k must be an integer >= 1");
  const parts = [
    similarityThreshold !== undefined ? `>=${similarityThreshold}` : "",
    k !== undefined ? `k=${k}` : "",
  ].filter(Boolean);
  const name = `embeddings-filter(${parts.join(", ")})`;
  return {
    name,
    async compress(documents, query, opts = {}) {
      assertQuery(query);
      const { signal } = opts;
      throwIfAborted(signal);
      if (documents.length === 0) return [];
      const q = await embedder.embedQuery(query, { signal });
      const { vectors, stats } = await documentVectors(documents, {
        embedder,
        store,
        signal,
        compressor: name,
        onWarning,
      });
      onVectors?.(stats);
      let ranked = documents
        .map((doc, i) => ({ doc, i, sim: cosine(q, vectors[i]!) }))
        .filter((r) => similarityThreshold === undefined || r.sim >= similarityThreshold)
        .sort((a, b) => b.sim - a.sim || a.i - b.i);
      if (k !== undefined) ranked = ranked.slice(0, k);
      if (order === "input") ranked.sort((a, b) => a.i - b.i);
      return ranked.map((r) => r.doc);
    },
  };
}
