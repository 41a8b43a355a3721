import { AbortError, ValidationError } from "../errors/errors.js";
import type { CallOptions, Embedder } from "../types/embedder.js";

/** Options of {@link withMicroBatching}. */
export interface MicroBatchingOptions {
  /**
   * How long the first query of a batch waits for others, in milliseconds. A batch leaves
   * earlier when it is full. @default 2
   */
  batchWindowMs?: number;
  /** Queries per batch at most; a full batch leaves at once. @default 16 */
  maxBatch?: number;
  /**
   * Batches running on the embedder at the same time at most. Queries arriving while the
   * embedder is busy wait and leave together as the next batch, so under load batches grow
   * to `maxBatch` on their own. @default 1
   */
  maxInFlight?: number;
  /**
   * When no batch is running, send a query at once instead of waiting `batchWindowMs` for
   * others; queries arriving while it runs still leave together as the next batch. Removes the
   * window from the latency of a lone caller; under load batches form as before. @default false
   */
  dispatchWhenIdle?: boolean;
}

/**
 * An embedder that can embed several queries in one call (query prefix applied), such as the
 * transformers embedder of `@ragloom/core/transformers`.
 */
export interface BatchQueryEmbedder extends Embedder {
  /**
   * Embeds several search queries in one pass, as {@link Embedder.embedQuery} does for one.
   * @returns one vector per text, in input order.
   */
  embedQueries(texts: string[], options?: CallOptions): Promise<Float32Array[]>;
}

interface Pending {
  text: string;
  resolve: (v: Float32Array) => void;
  reject: (e: unknown) => void;
  signal?: AbortSignal;
  onAbort?: () => void;
  settled: boolean;
}

function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new AbortError();
}

function hasEmbedQueries(e: Embedder): e is BatchQueryEmbedder {
  return typeof (e as Partial<BatchQueryEmbedder>).embedQueries === "function";
}

/**
 * Wraps an embedder so that concurrent {@link Embedder.embedQuery} calls are embedded together:
 * calls arriving within `batchWindowMs` of the first (or until `maxBatch` are waiting) go to the
 * embedder's `embedQueries` as one batch, so a server answering many queries at once pays one
 * forward pass per batch instead of one per query (dynamic batching, as in NVIDIA Triton's
 * dynamic batcher and TorchServe's batch aggregation).
 *
 * - Each caller gets its own vector; batching changes it only by floating-point rounding of the
 *   padded batch (|Δ| < 1e-5 per component for all-MiniLM-L6-v2).
 * - A caller whose `signal` aborts rejects at once with the signal's reason (`AbortError` by
 *   default) and leaves the batch; the other callers are not affected. A batch whose callers
 *   have all aborted is aborted on the embedder.
 * - When the embedder throws, every caller of that batch rejects with the same error.
 * - Embedders without `embedQueries` are called once per query (no batching, same results).
 *
 * `embedDocuments`, `countTokens`, `dispose` and the other members pass through unchanged.
 * @returns an embedder of the same type as `embedder`.
 * @throws ValidationError for bad options; `embedQuery` rejects with ValidationError when the
 *   text is not a string.
 */
export function withMicroBatching<E extends Embedder>(embedder: E, options: MicroBatchingOptions = {}): E {
  const windowMs = options.batchWindowMs ?? 2;
  const maxBatch = options.maxBatch ?? 16;
  const maxInFlight = options.maxInFlight ?? 1;
  const eager = options.dispatchWhenIdle ?? false;
  if (!(windowMs >= 0)) throw new ValidationError(`batchWindowMs must be >= 0, got ${windowMs}`);
  if (!(Number.isInteger(maxBatch) && maxBatch >= 1))
    throw new ValidationError(`maxBatch must be an integer >= 1, got ${maxBatch}`);
  if (!(Number.isInteger(maxInFlight) && maxInFlight >= 1))
    throw new ValidationError(`maxInFlight must be an integer >= 1, got ${maxInFlight}`);

  let queue: Pending[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  let windowOver = false;
  let inFlight = 0;

  const settle = (p: Pending) => {
    p.settled = true;
    if (p.onAbort) p.signal?.removeEventListener("abort", p.onAbort);
  };

  const runBatch = async (batch: Pending[]) => {
    const controller = new AbortController();
    const listeners = batch.map((p) => {
      const listener = () => {
        if (batch.every((q) => q.settled)) controller.abort(abortReason(p.signal!));
      };
      p.signal?.addEventListener("abort", listener, { once: true });
      return listener;
    });
    try {
      const texts = batch.map((p) => p.text);
      const vectors = hasEmbedQueries(embedder)
        ? await embedder.embedQueries(texts, { signal: controller.signal })
        : await Promise.all(texts.map((t) => embedder.embedQuery(t, { signal: controller.signal })));
      batch.forEach((p, i) => {
        if (p.settled) return;
        settle(p);
        p.resolve(vectors[i]!);
      });
    } catch (error) {
      for (const p of batch) {
        if (p.settled) continue;
        settle(p);
        p.reject(error);
      }
    } finally {
      batch.forEach((p, i) => p.signal?.removeEventListener("abort", listeners[i]!));
    }
  };

  const pump = () => {
    while (inFlight < maxInFlight && queue.length > 0 && (windowOver || queue.length >= maxBatch)) {
      const batch = queue.slice(0, maxBatch);
      queue = queue.slice(maxBatch);
      inFlight++;
      void runBatch(batch).finally(() => {
        inFlight--;
        if (eager && inFlight === 0 && queue.length > 0) windowOver = true;
        pump();
      });
    }
    if (queue.length === 0) {
      windowOver = false;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
    }
  };

  const embedQuery = (text: string, callOptions?: CallOptions): Promise<Float32Array> =>
    new Promise<Float32Array>((resolve, reject) => {
      if (typeof text !== "string") throw new ValidationError("text must be a string");
      const signal = callOptions?.signal;
      if (signal?.aborted) throw abortReason(signal);
      const p: Pending = { text, resolve, reject, signal, settled: false };
      if (signal) {
        p.onAbort = () => {
          if (p.settled) return;
          settle(p);
          queue = queue.filter((q) => q !== p);
          reject(abortReason(signal));
        };
        signal.addEventListener("abort", p.onAbort, { once: true });
      }
      queue.push(p);
      if (eager && inFlight === 0) windowOver = true;
      if (timer === undefined && !windowOver) {
        timer = setTimeout(() => {
          timer = undefined;
          windowOver = true;
          pump();
        }, windowMs);
      }
      pump();
    });

  return new Proxy(embedder, {
    get(target, prop) {
      if (prop === "embedQuery") return embedQuery;
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
