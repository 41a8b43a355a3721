import { randomUUID } from "node:crypto";
import type { ChromaClient, Collection } from "chromadb";
import { type RagloomError, ServiceError, throwIfAborted, ValidationError } from "../errors/errors.js";
import type { Filter } from "../filter/types.js";
import { checkK, checkVector } from "../math/check-vector.js";
import type { Document, Metadata } from "../types/document.js";
import type { CallOptions } from "../types/embedder.js";
import type { VectorHit, VectorQueryOptions, VectorRecord, VectorStore } from "../types/vector-store.js";
import { toRagloomError } from "./chroma-errors.js";
import { upsertReplacingMetadata } from "./replace-upsert.js";
import { toChromaFilter } from "./translate-filter.js";

/** Options of {@link createChromaVectorStore}. */
export interface ChromaVectorStoreOptions {
  /** Collection name (created with cosine space if missing). */
  collection: string;
  /** Length of every vector. */
  dimensions: number;
  /**
   * Server URL. With `client`, used only in {@link ChromaVectorStore.scope} (read from the
   * client when omitted). @default "http://localhost:8000"
   */
  url?: string;
  /** Extra HTTP headers (e.g. `{ Authorization: "Bearer TOKEN" }` for a token-protected server). */
  headers?: Record<string, string>;
  /** An existing `ChromaClient` (dependency injection). */
  client?: ChromaClient;
  /**
   * Records per upsert request. Capped at the server's `max_batch_size` (5,461 on chromadb 1.5),
   * which the JS client does not enforce itself. @default 1000
   */
  batchSize?: number;
  /**
   * Make `upsert` replace a record's metadata, as the VectorStore contract says. Chroma's own
   * upsert merges new metadata keys into the old ones (a removed key survives), so each batch
   * first reads the stored metadata of its ids (one `get`), then writes in one request with
   * every stale key set to `null` (which removes it): a failure leaves each record old or new,
   * never missing, and a retried batch converges. `false` keeps Chroma's merge semantics and
   * skips the read. @default true
   */
  replaceMetadata?: boolean;
}

const INCLUDE_ALL = ["documents", "metadatas", "distances"] as const;
/** Largest `nResults` the server accepts (it parses it as a uint32). */
const MAX_N_RESULTS = 0xffffffff;

/** The base URL of a chromadb client, read from its HTTP client's config (best effort). */
function baseUrlOf(client: ChromaClient): string | undefined {
  try {
    const api = (client as unknown as { apiClient?: { getConfig?: () => { baseUrl?: unknown } } }).apiClient;
    const url = api?.getConfig?.().baseUrl;
    return typeof url === "string" ? url : undefined;
  } catch {
    return undefined;
  }
}

const wrap = (error: unknown, what: string, filter = false): RagloomError =>
  toRagloomError(error, what, { filter });

function checkMetadata(id: string, metadata: Metadata): Metadata {
  for (const [key, value] of Object.entries(metadata ?? {})) {
    if (Array.isArray(value)) {
      if (value.length === 0)
        throw new ValidationError(`metadata "${key}" of "${id}" is an empty array (Chroma rejects those)`);
      const t = typeof value[0];
      if (!value.every((v) => typeof v === t))
        throw new ValidationError(`metadata "${key}" of "${id}" mixes types`);
    } else if (!["string", "number", "boolean"].includes(typeof value)) {
      throw new ValidationError(
        `metadata "${key}" of "${id}" must be a string, number, boolean or array of one of them`,
      );
    }
  }
  return metadata ?? {};
}

/**
 * A {@link VectorStore} on a Chroma server through the `chromadb` v3 JS client (an optional
 * peer dependency). Brings its own vectors (`embeddingFunction: null`), uses cosine space, so
 * `score = 1 − cosine distance` is cosine similarity in [-1, 1]. Filters are translated by
 * {@link toChromaFilter}. Upserts are split into batches of `batchSize`.
 */
export class ChromaVectorStore implements VectorStore {
  readonly kind = "chroma";
  readonly dimensions: number;
  readonly batchSize: number;
  readonly replaceMetadata: boolean;
  /**
   * Identity of the collection's data, for result caches: `chroma:${url}/${tenant}/${database}/${collection}`
   * (a random one when the URL cannot be known), so stores on two collections or servers never
   * share cache entries while two stores on one collection do.
   */
  readonly scope: string;
  /**
   * @param options.url - server URL for {@link scope}. @default read from `client`
   */
  constructor(
    readonly client: ChromaClient,
    readonly collection: Collection,
    options: { dimensions: number; batchSize: number; replaceMetadata?: boolean; url?: string },
  ) {
    this.replaceMetadata = options.replaceMetadata ?? true;
    this.dimensions = options.dimensions;
    this.batchSize = options.batchSize;
    const url = (options.url ?? baseUrlOf(client))?.replace(/\/+$/, "") ?? `unknown-${randomUUID()}`;
    this.scope = `chroma:${url}/${collection.tenant}/${collection.database}/${collection.name}`;
  }

  /**
   * Inserts or replaces records by id, in batches of `batchSize` (all records are checked first).
   * @throws DimensionMismatchError; ValidationError (missing id or vector, non-finite values, bad
   *   metadata or text); ServiceError (server; not retryable for 4xx, e.g. failed authentication).
   */
  async upsert(records: VectorRecord[], options?: CallOptions): Promise<void> {
    for (const r of records) {
      if (typeof r?.id !== "string" || r.id.length === 0)
        throw new ValidationError("record id must be a non-empty string");
      checkVector(r.vector, this.dimensions, `vector of "${r.id}"`);
      if (typeof r.text !== "string") throw new ValidationError(`text of "${r.id}" must be a string`);
      checkMetadata(r.id, r.metadata);
    }
    for (let i = 0; i < records.length; i += this.batchSize) {
      throwIfAborted(options?.signal);
      const batch = records.slice(i, i + this.batchSize);
      try {
        if (this.replaceMetadata) await upsertReplacingMetadata(this.collection, batch);
        else {
          await this.collection.upsert({
            ids: batch.map((r) => r.id),
            embeddings: batch.map((r) => Array.from(r.vector)),
            documents: batch.map((r) => r.text),
            metadatas: batch.map((r) => (Object.keys(r.metadata ?? {}).length ? r.metadata : null)) as never,
          });
        }
      } catch (error) {
        throw wrap(error, "upsert");
      }
    }
  }

  async delete(ids: string[], options?: CallOptions): Promise<void> {
    for (let i = 0; i < ids.length; i += this.batchSize) {
      throwIfAborted(options?.signal);
      try {
        await this.collection.delete({ ids: ids.slice(i, i + this.batchSize) });
      } catch (error) {
        throw wrap(error, "delete");
      }
    }
  }

  async deleteWhere(filter: Filter, options?: CallOptions): Promise<number> {
    throwIfAborted(options?.signal);
    const { where, whereDocument } = toChromaFilter(filter);
    try {
      const before = await this.collection.count();
      await this.collection.delete({ where: where as never, whereDocument: whereDocument as never });
      return before - (await this.collection.count());
    } catch (error) {
      throw wrap(error, "delete", true);
    }
  }

  async count(options?: CallOptions): Promise<number> {
    throwIfAborted(options?.signal);
    try {
      return await this.collection.count();
    } catch (error) {
      throw wrap(error, "count");
    }
  }

  /**
   * Top-k by cosine similarity (Chroma's HNSW index, approximate on large collections).
   * @param options - `k`: a non-negative integer; more than the stored records returns them all.
   * @throws DimensionMismatchError, FilterError, ValidationError (bad k or vector), ServiceError.
   */
  async query(vector: Float32Array | number[], options: VectorQueryOptions): Promise<VectorHit[]> {
    throwIfAborted(options?.signal);
    checkVector(vector, this.dimensions, "query vector");
    const k = checkK(options?.k);
    if (k === 0) return [];
    const { where, whereDocument } = toChromaFilter(options.filter);
    let result: Awaited<ReturnType<Collection["query"]>>;
    try {
      result = await this.collection.query({
        queryEmbeddings: [Array.from(vector)],
        nResults: Math.min(k, MAX_N_RESULTS),
        where: where as never,
        whereDocument: whereDocument as never,
        include: options.includeVectors ? [...INCLUDE_ALL, "embeddings"] : [...INCLUDE_ALL],
      });
    } catch (error) {
      throw wrap(error, "query", true);
    }
    const ids = result.ids[0] ?? [];
    return ids.map((id, i) => {
      const hit: VectorHit = {
        id,
        text: result.documents[0]?.[i] ?? "",
        metadata: (result.metadatas[0]?.[i] ?? {}) as Metadata,
        score: 1 - (result.distances[0]?.[i] ?? 1),
      };
      const emb = result.embeddings?.[0]?.[i];
      if (options.includeVectors && emb) hit.vector = Float32Array.from(emb);
      return hit;
    });
  }

  async get(ids: string[], options?: CallOptions): Promise<VectorRecord[]> {
    throwIfAborted(options?.signal);
    if (ids.length === 0) return [];
    try {
      const r = await this.collection.get({ ids, include: ["documents", "metadatas", "embeddings"] });
      const byId = new Map(
        r.ids.map((id, i) => [
          id,
          {
            id,
            text: r.documents[i] ?? "",
            metadata: (r.metadatas[i] ?? {}) as Metadata,
            vector: Float32Array.from(r.embeddings[i] ?? []),
          },
        ]),
      );
      return ids.flatMap((id) => (byId.has(id) ? [byId.get(id)!] : []));
    } catch (error) {
      throw wrap(error, "get");
    }
  }

  /** Every stored document (no vectors), fetched in pages of `pageSize` (@default 1000) with limit/offset. */
  async *scan(options: CallOptions & { pageSize?: number } = {}): AsyncIterable<Document[]> {
    const pageSize = Math.min(options.pageSize ?? 1000, this.batchSize);
    for (let offset = 0; ; offset += pageSize) {
      throwIfAborted(options.signal);
      let r: Awaited<ReturnType<Collection["get"]>>;
      try {
        r = await this.collection.get({ limit: pageSize, offset, include: ["documents", "metadatas"] });
      } catch (error) {
        throw wrap(error, "get");
      }
      if (r.ids.length === 0) return;
      yield r.ids.map((id, i) => ({
        id,
        text: r.documents[i] ?? "",
        metadata: (r.metadatas[i] ?? {}) as Metadata,
      }));
      if (r.ids.length < pageSize) return;
    }
  }

  async ping(options?: CallOptions): Promise<void> {
    throwIfAborted(options?.signal);
    try {
      await this.client.heartbeat();
    } catch (error) {
      throw wrap(error, "heartbeat");
    }
  }

  /** Deletes the whole collection on the server. */
  async drop(): Promise<void> {
    try {
      await this.client.deleteCollection({ name: this.collection.name });
    } catch (error) {
      throw wrap(error, "deleteCollection");
    }
  }
}

/**
 * Connects to Chroma and gets or creates the collection (cosine space, no server-side
 * embedding function). The `chromadb` package is imported lazily.
 * @throws ServiceError when the server is unreachable or `chromadb` is not installed.
 */
export async function createChromaVectorStore(options: ChromaVectorStoreOptions): Promise<ChromaVectorStore> {
  if (!Number.isInteger(options.dimensions) || options.dimensions <= 0) {
    throw new ValidationError(`dimensions must be a positive integer, got ${options.dimensions}`);
  }
  let client = options.client;
  if (!client) {
    let mod: typeof import("chromadb");
    try {
      mod = await import("chromadb");
    } catch (cause) {
      throw new ServiceError("chroma", "install the optional peer dependency chromadb", {
        retryable: false,
        cause,
      });
    }
    const url = new URL(options.url ?? "http://localhost:8000");
    client = new mod.ChromaClient({
      host: url.hostname,
      port: Number(url.port || (url.protocol === "https:" ? 443 : 80)),
      ssl: url.protocol === "https:",
      headers: options.headers,
    });
  }
  try {
    const collection = await client.getOrCreateCollection({
      name: options.collection,
      embeddingFunction: null,
      configuration: { hnsw: { space: "cosine" } },
    });
    let batchSize = options.batchSize ?? 1000;
    try {
      batchSize = Math.min(batchSize, await client.getMaxBatchSize());
    } catch {
      // older servers: keep the configured size
    }
    return new ChromaVectorStore(client, collection, {
      dimensions: options.dimensions,
      batchSize,
      replaceMetadata: options.replaceMetadata,
      url: options.url ?? (options.client ? undefined : "http://localhost:8000"),
    });
  } catch (error) {
    throw wrap(error, `connect to collection "${options.collection}"`);
  }
}
