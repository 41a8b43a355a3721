import {
  BM25Index,
  type CachedRetriever,
  type CacheStats,
  type CacheStore,
  createRetriever,
  type Document,
  type Embedder,
  type EventBus,
  type Filter,
  type HybridRetriever,
  type QueryCount,
  type QueryTracker,
  RecursiveTextSplitter,
  type RetrievalMode,
  type RetrievalResult,
  ValidationError,
  type VectorStore,
  withResultCache,
} from "@ragloom/core";
import type { CollectionConfig } from "../config/schema.js";
import { DocumentIndex, type FacetResult, joinChunks, sourceMetadata } from "./document-index.js";
import { mirrorStore } from "./mirror-store.js";

/** What an ingest call did. */
export interface IngestResult {
  /** Source documents received. */
  documents: number;
  /** Chunks embedded and stored. */
  chunks: number;
  /** Documents written (new or changed), when the retriever reports it. */
  written?: number;
  /** Documents skipped because they were stored unchanged already, when the retriever reports it. */
  unchanged?: number;
}

/** A source document rebuilt from its chunks. */
export interface StoredDocument {
  id: string;
  text: string;
  metadata: Document["metadata"];
  chunks: number;
}

/** Options of a tenant search. */
export interface SearchOptions {
  k?: number;
  filter?: Filter | null;
  mode?: RetrievalMode;
  signal?: AbortSignal;
}

/** What {@link createTenant} needs. */
export interface TenantDeps {
  config: CollectionConfig;
  embedder: Embedder;
  store: VectorStore;
  events: EventBus;
  tracker: QueryTracker;
  /** Shared level of the result cache (Redis). */
  resultL2?: CacheStore<RetrievalResult>;
}

/** One collection of a multi-tenant server: its own store, BM25 index, result cache and documents. */
export interface Tenant {
  readonly name: string;
  readonly config: CollectionConfig;
  readonly store: VectorStore;
  readonly retriever: HybridRetriever;
  readonly cache: CachedRetriever | undefined;
  readonly documents: DocumentIndex;
  /** Loads the BM25 index and the document index from the store (a scan). */
  init(signal?: AbortSignal): Promise<void>;
  search(query: string, options?: SearchOptions): Promise<RetrievalResult>;
  ingest(documents: Document[], signal?: AbortSignal): Promise<IngestResult>;
  /** Deletes a source document and its chunks; `false` when the id was unknown. */
  remove(id: string, signal?: AbortSignal): Promise<boolean>;
  get(id: string, signal?: AbortSignal): Promise<StoredDocument | undefined>;
  facet(field: string, limit?: number): FacetResult;
  stats(top?: number): Promise<TenantStats>;
}

/** Cache and query statistics of a collection. */
export interface TenantStats {
  collection: string;
  documents: number;
  cache: CacheStats | null;
  topQueries: QueryCount[];
}

/**
 * Builds a collection: a hybrid retriever (dense + BM25, the default fusion of `createRetriever`) on its own store, a result cache
 * whose keys are namespaced by the collection (`res:<name>`) so no two collections ever share an
 * entry, a query tracker, and a document index. Writes to one collection run one at a time.
 */
export function createTenant(deps: TenantDeps): Tenant {
  const { config, embedder, events } = deps;
  const documents = new DocumentIndex();
  const store = mirrorStore(deps.store, documents);
  const lexical = new BM25Index();
  const splitter = config.split
    ? new RecursiveTextSplitter({
        chunkSize: config.chunkSize,
        chunkOverlap: config.chunkOverlap,
        ...(embedder.countTokens && { lengthFunction: (t: string) => embedder.countTokens!(t) }),
      })
    : undefined;
  const retriever = createRetriever({
    embedder,
    store,
    lexical,
    mode: config.mode,
    k: config.k,
    splitter: splitter ?? false,
    events,
  });
  const cache = config.cache.enabled
    ? withResultCache(retriever, {
        namespace: `res:${config.name}`,
        ttlMs: config.cache.ttlMs,
        defaultK: config.k,
        l2: deps.resultL2,
        events,
      })
    : undefined;
  let writes: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = writes.then(fn, fn);
    writes = run.catch(() => {});
    return run;
  };
  const invalidate = async () => {
    await cache?.invalidate();
  };

  return {
    name: config.name,
    config,
    store,
    retriever,
    cache,
    documents,
    async init(signal) {
      if (!store.scan) return;
      for await (const page of store.scan({ signal, pageSize: 1000 })) {
        lexical.add(page);
        documents.addChunks(page);
      }
    },
    async search(query, options = {}) {
      const k = options.k ?? config.k;
      if (k > config.maxK) throw new ValidationError(`k must be at most ${config.maxK}, got ${k}`);
      deps.tracker
        .record(query)
        .catch((error: unknown) => events.emit("cache:error", { cache: "result", error }));
      const opts = {
        k,
        filter: options.filter ?? null,
        signal: options.signal,
        ...(options.mode && options.mode !== config.mode && { mode: options.mode }),
      };
      return (cache ?? retriever).retrieve(query, opts);
    },
    ingest(docs, signal) {
      return serial(async () => {
        const result: unknown = await retriever.add(docs, { signal });
        await invalidate();
        const r = (typeof result === "number" ? { chunks: result } : result) as {
          chunks: number;
          written?: number | string[];
          unchanged?: number | string[];
        };
        const count = (v: number | string[] | undefined) => (Array.isArray(v) ? v.length : v);
        const written = count(r.written);
        const unchanged = count(r.unchanged);
        return {
          documents: docs.length,
          chunks: r.chunks,
          ...(written !== undefined && { written }),
          ...(unchanged !== undefined && { unchanged }),
        };
      });
    },
    remove(id, signal) {
      return serial(async () => {
        const known = documents.has(id);
        await retriever.delete([id], { signal });

        await invalidate();
        return known;
      });
    },
    async get(id, signal) {
      const ids = documents.chunkIds(id);
      if (!ids) return undefined;
      const records = await store.get(ids, { signal });
      if (records.length === 0) return undefined;
      const chunks = records.map(({ id: cid, text, metadata }) => ({ id: cid, text, metadata }));
      return {
        id,
        text: joinChunks(chunks),
        metadata: sourceMetadata(records[0]!.metadata),
        chunks: records.length,
      };
    },
    facet(field, limit) {
      return documents.facet(field, limit);
    },
    async stats(top = 10) {
      return {
        collection: config.name,
        documents: documents.size,
        cache: cache ? cache.cache.stats() : null,
        topQueries: await deps.tracker.topQueries(top),
      };
    },
  };
}
