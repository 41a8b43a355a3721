import { AbortError, ValidationError } from "../errors/errors.js";
import { emitEvent } from "../events/event-bus.js";
import type { Filter } from "../filter/types.js";
import { validateFilter } from "../filter/validate.js";
import { RRF_K, reciprocalRankFusion, weightedScoreFusion } from "../fusion/fusion.js";
import { InMemoryManifestStore } from "../ingest/manifest-store.js";
import { BM25Index, type BM25Options } from "../lexical/bm25.js";
import { RecursiveTextSplitter } from "../splitter/recursive-splitter.js";
import type { ScoredDocument } from "../types/document.js";
import type { LexicalIndex } from "../types/lexical-index.js";
import type { RetrievalResult, Timings } from "../types/retriever.js";
import type { VectorHit } from "../types/vector-store.js";
import { abortError, checkAborted } from "./abort.js";
import { checkInteger, checkMode, checkQuery, checkQueryVector } from "./checks.js";
import { fingerprintOf, lexicalIdentity, storeScope } from "./fingerprint.js";
import { createIngestor } from "./ingest.js";
import type {
  CreateRetrieverOptions,
  FusionOptions,
  HybridRetrieveOptions,
  HybridRetriever,
  RetrievalMode,
} from "./types.js";
import { VersionVisibility, type VisibilityView } from "./visibility.js";

export type * from "./types.js";

const now = () => performance.now();

/**
 * Default depth of each list fused in hybrid mode: the depth of the fusion study that chose
 * the default fusion (SciFact, `bench/retrieval.ts`), and the Recall@100 depth of BEIR.
 */
export const DEFAULT_CANDIDATES = 100;
/**
 * Default depth of reranking: the fused top 40 go to the reranker (four times the usual k = 10,
 * fixed so that results do not depend on the `k` of a call).
 */
export const DEFAULT_RERANK_DEPTH = 40;

/**
 * Default hybrid fusion: a convex combination of z-score normalised scores, dense and BM25
 * weighted 0.5 each (Bruch, Gai & Ingber, "An Analysis of Fusion Functions for Hybrid
 * Retrieval", ACM TOIS 2023), over the top {@link DEFAULT_CANDIDATES} of each list.
 *
 * Chosen on BEIR SciFact train (5,183 abstracts, 809 claims; all-MiniLM-L6-v2 and BM25
 * k1 = 0.9, b = 0.4, `bench/retrieval.ts`): each family's parameter was tuned on a seeded 70 %
 * of the claims (566) and checked on the other 30 % (243). nDCG@10:
 *
 * | fusion | parameter | tune | held-out | all |
 * | --- | --- | --- | --- | --- |
 * | RRF (Cormack, Clarke & Büttcher, SIGIR 2009) | k = 60 (published) | 0.691 | 0.696 | 0.693 |
 * | RRF | k = 2 (tuned) | 0.715 | 0.705 | 0.712 |
 * | convex, min-max | dense weight 0.5 (tuned = published) | 0.728 | 0.713 | 0.724 |
 * | convex, z-score (default) | dense weight 0.5 (tuned) | 0.732 | 0.721 | 0.728 |
 *
 * RRF (`{ method: "rrf", k: 60 }`) needs no score scale and suits lists whose scores are not
 * comparable from query to query.
 */
export const DEFAULT_FUSION: Readonly<FusionOptions> = Object.freeze({
  method: "weighted",
  weights: Object.freeze([0.5, 0.5]) as [number, number],
  normalization: "z-score",
});

/** Whether `x` is a lexical index (has `search` and `add`) rather than BM25 options. */
function isLexicalIndex(x: unknown): x is LexicalIndex {
  const o = x as LexicalIndex | null;
  return typeof o === "object" && o !== null && typeof o.search === "function" && typeof o.add === "function";
}

/** Fetches `need` visible hits, asking for more while hidden chunks crowd them out. */
async function fetchVisible<T extends ScoredDocument>(
  need: number,
  view: VisibilityView,
  fetch: (k: number) => Promise<T[]> | T[],
): Promise<T[]> {
  let request = need + view.hidden;
  for (;;) {
    const hits = await fetch(request);
    const visible = hits.filter((h) => view.visible(h.metadata));
    if (visible.length >= need || hits.length < request) return visible.slice(0, need);
    request *= 2;
  }
}

/**
 * Creates a dense, lexical (BM25) or hybrid retriever over an embedder and a vector store.
 *
 * `retrieve` returns chunks best first; `score` is cosine similarity in [-1, 1] (dense),
 * a BM25 score (lexical), or the fused score (hybrid: by default {@link DEFAULT_FUSION}, the
 * equal-weight sum of z-score normalised dense and BM25 scores of the top `candidates` of each
 * list), and per-stage timings in milliseconds
 * (`embed`, `search`, `lexical`, `fuse`, `rerank`, `total`). A chunk's `metadata.parentId` is its
 * source document's id, `metadata.parentVersion` the content version it belongs to.
 *
 * Writes follow a write-ahead protocol (see {@link HybridRetriever.add}); readers see exactly one
 * complete version of each document this retriever writes, never a half-written one.
 * @throws ValidationError for an empty, too long or unsearchable query, a `k` or `candidates` outside
 *   [1, `maxK`], an unknown mode or a lexical/hybrid mode without a lexical index, a non-finite
 *   query vector; FilterError for an invalid filter; AbortError when the signal aborts; the
 *   store's errors.
 */
export function createRetriever<L extends LexicalIndex>(
  options: CreateRetrieverOptions & { lexical: L },
): HybridRetriever<L>;
export function createRetriever(
  options: Omit<CreateRetrieverOptions, "lexical"> & { lexical?: BM25Options | boolean },
): HybridRetriever<BM25Index>;
export function createRetriever(options: CreateRetrieverOptions): HybridRetriever;
export function createRetriever(options: CreateRetrieverOptions): HybridRetriever {
  const { embedder, store } = options;
  const lexical = (
    isLexicalIndex(options.lexical)
      ? options.lexical
      : options.lexical
        ? new BM25Index(options.lexical === true ? {} : (options.lexical as BM25Options))
        : undefined
  ) as LexicalIndex | undefined;
  const maxK = checkInteger("maxK", options.maxK ?? 10_000, 1);
  const defaultK = checkInteger("k", options.k ?? Math.min(10, maxK), 1, maxK);
  const defaultCandidates = checkInteger(
    "candidates",
    options.candidates ?? Math.min(DEFAULT_CANDIDATES, maxK),
    1,
    maxK,
  );
  const rerankDepth = checkInteger(
    "rerankDepth",
    options.rerankDepth ?? Math.min(DEFAULT_RERANK_DEPTH, maxK),
    1,
    maxK,
  );
  const mode: RetrievalMode = checkMode(options.mode ?? (lexical ? "hybrid" : "dense"));
  const fusion: FusionOptions = options.fusion ?? DEFAULT_FUSION;
  const method: unknown = fusion.method;
  if (method !== "rrf" && method !== "weighted")
    throw new ValidationError(`fusion.method must be "rrf" or "weighted", got ${JSON.stringify(method)}`);
  const normalization = fusion.method === "weighted" ? (fusion.normalization ?? "min-max") : "min-max";
  if (normalization !== "min-max" && normalization !== "z-score")
    throw new ValidationError(
      `fusion.normalization must be "min-max" or "z-score", got ${JSON.stringify(normalization)}`,
    );
  const batchSize = checkInteger("batchSize", options.batchSize ?? 64, 1);
  const documentBatchSize = checkInteger(
    "documentBatchSize",
    options.documentBatchSize ?? Math.min(Math.max(32, batchSize), 1000),
    1,
    1000,
  );
  const maxQueryLength = options.maxQueryLength ?? 8192;
  const splitter =
    options.splitter === false
      ? undefined
      : (options.splitter ??
        (embedder.countTokens
          ? new RecursiveTextSplitter({
              chunkSize: 200,
              chunkOverlap: 20,
              lengthFunction: (t) => embedder.countTokens!(t),
            })
          : new RecursiveTextSplitter({ chunkSize: 1000, chunkOverlap: 100 })));
  const events = options.events;
  const manifests = options.manifests ?? new InMemoryManifestStore();
  const visibility = new VersionVisibility();
  let version = 0;
  const ingestor = createIngestor({
    embedder,
    store,
    lexical,
    splitter,
    batchSize,
    documentBatchSize,
    manifests,
    visibility,
    events,
    warn: options.onWarning ?? ((m) => console.warn(`[ragloom] ${m}`)),
    changed: () => {
      version++;
    },
  });
  const fingerprint = fingerprintOf([
    "ragloom-retriever/1",
    storeScope(store),
    embedder.modelId,
    mode,
    fusion.method === "rrf"
      ? { method: "rrf", k: fusion.k ?? RRF_K, weights: fusion.weights ?? [1, 1] }
      : {
          method: "weighted",
          weights: fusion.weights ?? [0.5, 0.5],
          ...(normalization === "min-max" ? {} : { normalization }),
        },
    defaultK,
    defaultCandidates,
    options.reranker ? { reranker: true, depth: rerankDepth } : null,
    lexicalIdentity(lexical),
  ]);

  const needsLexical = (m: RetrievalMode) => {
    if (m !== "dense" && !lexical)
      throw new ValidationError(`mode "${m}" needs a lexical index (pass lexical: true)`);
  };
  needsLexical(mode);

  const retrieve = async (query: string, opts: HybridRetrieveOptions = {}): Promise<RetrievalResult> => {
    const t0 = now();
    const m = opts.mode === undefined ? mode : checkMode(opts.mode);
    const k = checkInteger("k", opts.k ?? defaultK, 1, maxK);
    const candidates =
      opts.candidates === undefined
        ? defaultCandidates
        : checkInteger("candidates", opts.candidates, 1, maxK);
    checkQuery(query, maxQueryLength);
    needsLexical(m);
    const filter: Filter | null = opts.filter ? validateFilter(opts.filter) : null;
    const signal = opts.signal;
    checkAborted(signal);
    emitEvent(events, "retrieve:start", { query, k, mode: m });
    const timings: Timings = {};
    const view = visibility.view();
    try {
      // a fixed depth, not one that grows with k: the fused order is the same for every k <= candidates
      const depth = m === "hybrid" ? Math.max(candidates, k) : k;
      const fetchK = options.reranker ? Math.max(depth, rerankDepth) : depth;
      let dense: VectorHit[] = [];
      let sparse: ScoredDocument[] = [];
      // the lexical list needs no query vector: it runs while the query is embedded and searched
      const lexicalRun =
        m === "dense"
          ? undefined
          : (async () => {
              const t = now();
              const hits = await fetchVisible(fetchK, view, (n) =>
                lexical!.search(query, { k: n, filter, signal }),
              );
              timings.lexical = now() - t;
              return hits;
            })();
      lexicalRun?.catch(() => {}); // awaited below; a dense failure must not leave it unhandled
      if (m !== "lexical") {
        let t = now();
        const qv = await embedder.embedQuery(query, { signal });
        checkQueryVector(qv);
        timings.embed = now() - t;
        t = now();
        dense = await fetchVisible(fetchK, view, (n) =>
          store.query(qv, { k: n, filter, signal, includeVectors: opts.includeVectors }),
        );
        timings.search = now() - t;
      }
      if (lexicalRun) sparse = await lexicalRun;
      let documents: ScoredDocument[];
      if (m === "hybrid") {
        const t = now();
        documents =
          fusion.method === "rrf"
            ? reciprocalRankFusion([dense, sparse], { k: fusion.k ?? RRF_K, weights: fusion.weights })
            : weightedScoreFusion([dense, sparse], { weights: fusion.weights ?? [0.5, 0.5], normalization });
        timings.fuse = now() - t;
      } else {
        documents = m === "dense" ? dense : sparse;
      }
      if (options.reranker) {
        const t = now();
        documents = await options.reranker.rerank(query, documents.slice(0, Math.max(rerankDepth, k)), {
          k,
          signal,
        });
        timings.rerank = now() - t;
      }
      documents = documents.slice(0, k);
      timings.total = now() - t0;
      emitEvent(events, "retrieve:end", { query, k, mode: m, count: documents.length, timings });
      return { documents, timings };
    } catch (caught) {
      const error = signal?.aborted && !(caught instanceof AbortError) ? abortError(signal, caught) : caught;
      emitEvent(events, "retrieve:error", { query, error });
      throw error;
    } finally {
      view.close();
    }
  };

  return {
    embedder,
    store,
    lexical,
    mode,
    fingerprint,
    manifests,
    get version() {
      return version;
    },
    retrieve,
    add: ingestor.add,
    delete: ingestor.delete,
    repair: ingestor.repair,
  };
}
