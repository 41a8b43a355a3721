import type { ChromaClient, Collection } from "chromadb";
import {
  DimensionMismatchError,
  FilterError,
  RagloomError,
  ServiceError,
  throwIfAborted,
  ValidationError,
} from "../errors/errors.js";
import type { Filter } from "../filter/types.js";
import type { Document, Metadata } from "../types/document.js";
import type { CallOptions } from "../types/embedder.js";
import type { VectorHit, VectorQueryOptions, VectorRecord, VectorStore } from "../types/vector-store.js";
import { toChromaFilter } from "./translate-filter.js";

/** Options of {@link createChromaVectorStore}. */
export interface ChromaVectorStoreOptions {
  /** Collection name (created with cosine space if missing). */
  collection: string;
  /** Length of every vector. */
  dimensions: number;
  /** Server URL. Ignored when `client` is given. @default "http://localhost:8000" */
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
   * upsert merges new metadata keys into the old ones (a removed key survives), so each batch's
   * ids are deleted first (one more request per batch; both steps are idempotent, so a retried
   * batch converges). `false` keeps Chroma's merge semantics. @default true
   */
  replaceMetadata?: boolean;
}

const INCLUDE_ALL = ["documents", "metadatas", "distances"] as const;

function wrap(error: unknown, what: string): RagloomError {
  if (error instanceof RagloomError) return error;
  const e = error as { name?: string; message?: string; status?: number; cause?: { code?: string } };
  const message = e?.message ?? String(error);
  if (e?.name === "ChromaValueError") return new FilterError(`Chroma rejected the request: ${message}`);
  const status = typeof e?.status === "number" ? e.status : undefined;
  const dim =
    /dimension(?:ality)? of (\d+).*?got (\d+)|expecting embedding with dimension of (\d+), got (\d+)/i.exec(
      message,
    );
  if (dim) {
    const [exp, act] = dim[1] ? [dim[1], dim[2]] : [dim[3], dim[4]];
    return new DimensionMismatchError(Number(exp), Number(act), "Chroma vector");
  }
  const retryable = status === undefined || status >= 500 || status === 429;
  return new ServiceError("chroma", `${what} failed: ${message}`, { status, retryable, cause: error });
}

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
  constructor(
    readonly client: ChromaClient,
    readonly collection: Collection,
    options: { dimensions: number; batchSize: number; replaceMetadata?: boolean },
  ) {
    this.replaceMetadata = options.replaceMetadata ?? true;
    this.dimensions = options.dimensions;
    this.batchSize = options.batchSize;
  }

  private checkVector(v: ArrayLike<number>, what: string) {
    if (v.length !== this.dimensions) throw new DimensionMismatchError(this.dimensions, v.length, what);
  }

  /** @throws DimensionMismatchError, ValidationError (bad metadata), ServiceError (server). */
  async upsert(records: VectorRecord[], options?: CallOptions): Promise<void> {
    for (const r of records) {
      if (typeof r.id !== "string" || r.id.length === 0)
        throw new ValidationError("record id must be a non-empty string");
      this.checkVector(r.vector, `vector of "${r.id}"`);
      checkMetadata(r.id, r.metadata);
    }
    for (let i = 0; i < records.length; i += this.batchSize) {
      throwIfAborted(options?.signal);
      const batch = records.slice(i, i + this.batchSize);
      try {
        // Chroma's upsert merges metadata into the old record; deleting first makes it a replace
        if (this.replaceMetadata) await this.collection.delete({ ids: batch.map((r) => r.id) });
        await this.collection.upsert({
          ids: batch.map((r) => r.id),
          embeddings: batch.map((r) => Array.from(r.vector)),
          documents: batch.map((r) => r.text),
          metadatas: batch.map((r) => (Object.keys(r.metadata ?? {}).length ? r.metadata : null)) as never,
        });
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
      throw wrap(error, "delete");
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

  /** @throws DimensionMismatchError, FilterError, ValidationError (bad k), ServiceError. */
  async query(vector: Float32Array | number[], options: VectorQueryOptions): Promise<VectorHit[]> {
    throwIfAborted(options.signal);
    this.checkVector(vector, "query vector");
    const { k } = options;
    if (!Number.isInteger(k) || k < 0)
      throw new ValidationError(`k must be a non-negative integer, got ${k}`);
    if (k === 0) return [];
    const { where, whereDocument } = toChromaFilter(options.filter);
    let result: Awaited<ReturnType<Collection["query"]>>;
    try {
      result = await this.collection.query({
        queryEmbeddings: [Array.from(vector)],
        nResults: k,
        where: where as never,
        whereDocument: whereDocument as never,
        include: options.includeVectors ? [...INCLUDE_ALL, "embeddings"] : [...INCLUDE_ALL],
      });
    } catch (error) {
      throw wrap(error, "query");
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
    });
  } catch (error) {
    throw wrap(error, `connect to collection "${options.collection}"`);
  }
}
