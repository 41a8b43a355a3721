/** Options shared by every call that may hang. */
export interface CallOptions {
  /** Aborts the call; rejects with the signal's reason (an `AbortError` by default). */
  signal?: AbortSignal;
}

/**
 * Turns texts into fixed-size vectors.
 *
 * Implementations batch internally, so callers may pass any number of texts.
 */
export interface Embedder {
  /** Stable id of the model (e.g. `Xenova/all-MiniLM-L6-v2`), used in cache keys. */
  readonly modelId: string;
  /** Length of every vector this embedder returns. */
  readonly dimensions: number;
  /** Whether returned vectors are L2-normalised (so dot product = cosine similarity). */
  readonly normalized: boolean;
  /**
   * Embeds documents (passages).
   * @param texts - `n` strings.
   * @returns `n` vectors of length `dimensions`, in input order.
   */
  embedDocuments(texts: string[], options?: CallOptions): Promise<Float32Array[]>;
  /**
   * Embeds one search query. Models with query instructions (E5, BGE) prefix it here.
   * @returns one vector of length `dimensions`.
   */
  embedQuery(text: string, options?: CallOptions): Promise<Float32Array>;
  /**
   * Counts tokens of `text` with the model's own tokenizer, without special tokens.
   * Optional: splitters fall back to characters when absent.
   */
  countTokens?(text: string): number;
  /** Releases native resources (ONNX sessions). */
  dispose?(): Promise<void>;
}
