import {
  type CallOptions,
  createEmbeddingCache,
  createMemoryCacheStore,
  type Embedder,
  type EmbeddingCache,
  withCache,
} from "@ragloom/core";
import { intlSentenceSplitter, type SentenceSplitter } from "./sentences.js";

/** Options of {@link withSentenceEmbeddings}. */
export interface SentenceEmbeddingsOptions {
  /**
   * Where the vectors of texts, sentences and queries are kept, keyed by model id and text (a core
   * embedding cache; give it a Redis `l2` to keep sentence vectors across processes).
   * @default createEmbeddingCache({ l1: createMemoryCacheStore({ max: 200_000 }) }) (about 300 MB
   *   of 384-d vectors when full; least recently used vectors go first)
   */
  cache?: EmbeddingCache;
  /**
   * Cuts texts into the sentences to embed. Must be the splitter of the compressors that use this
   * embedder, so that they find the same sentences. @default intlSentenceSplitter("en")
   */
  splitter?: SentenceSplitter;
}

/** An {@link Embedder} that also embeds the sentences of every document it embeds. */
export interface SentenceEmbedder extends Embedder {
  /** The cache holding every vector this embedder computed. */
  readonly cache: EmbeddingCache;
}

/**
 * Computes sentence embeddings once, at ingest: the returned embedder embeds each document text
 * together with its sentences (one batched model call for all texts and sentences not yet cached)
 * and keeps every vector in an embedding cache keyed by text. Use it both for the retriever (so
 * that `add` embeds the sentences of every chunk) and for the compressors (so that the sentence
 * extractor, token budget and redundancy filter, and the document score of `sentence+document`
 * scoring, find their vectors in the cache): compressing retrieved chunks then costs cache
 * look-ups and dot products, not model calls. Queries are cached too, so the query the retriever
 * embedded is not embedded again by the compressor. Texts missing from the cache (evicted, or
 * written by another process without a shared `l2`) are embedded on demand, as without it.
 *
 * ```ts
 * const embedder = withSentenceEmbeddings(await createTransformersEmbedder({ ... }));
 * const retriever = createRetriever({ embedder, store, lexical: true });
 * await retriever.add(documents); // chunks and their sentences embedded here
 * const compressed = withCompression(retriever, createSentenceExtractor({ embedder }));
 * ```
 * @returns an Embedder with the `modelId`, `dimensions` and `normalized` of `embedder`.
 */
export function withSentenceEmbeddings(
  embedder: Embedder,
  options: SentenceEmbeddingsOptions = {},
): SentenceEmbedder {
  const cache =
    options.cache ?? createEmbeddingCache({ l1: createMemoryCacheStore<Float32Array>({ max: 200_000 }) });
  const split = options.splitter ?? intlSentenceSplitter("en");
  const cached = withCache(embedder, cache);
  const wrapped: SentenceEmbedder = {
    modelId: embedder.modelId,
    dimensions: embedder.dimensions,
    normalized: embedder.normalized,
    cache,
    async embedDocuments(texts: string[], callOptions?: CallOptions) {
      const all = new Set(texts);
      for (const t of texts) for (const s of split(t)) all.add(s);
      const unique = [...all];
      const vectors = await cached.embedDocuments(unique, callOptions);
      const byText = new Map(unique.map((t, i) => [t, vectors[i]!]));
      return texts.map((t) => byText.get(t)!);
    },
    embedQuery: (text: string, callOptions?: CallOptions) => cached.embedQuery(text, callOptions),
  };
  if (embedder.countTokens) wrapped.countTokens = (t) => embedder.countTokens!(t);
  if (embedder.dispose) wrapped.dispose = () => embedder.dispose!();
  return wrapped;
}
