import { ValidationError } from "../errors/errors.js";
import type { Filter } from "../filter/types.js";
import { checkK, checkVector } from "../math/check-vector.js";
import type { Document, Metadata } from "../types/document.js";
import type { CallOptions } from "../types/embedder.js";
import type { VectorHit, VectorQueryOptions, VectorRecord, VectorStore } from "../types/vector-store.js";
import {
  openPool,
  type PgConnectionOptions,
  type PgPool,
  type PgPoolClient,
  quoteName,
  transaction,
  withClient,
} from "./pg-connection.js";
import { checkDocument, parseVector, toVectorLiteral, unitVector } from "./pg-records.js";
import { toPgFilter } from "./translate-filter.js";

/** Options of {@link createPgVectorStore}. */
export interface PgVectorStoreOptions extends PgConnectionOptions {
  /** Table of the records, `table` or `schema.table`; created when missing. */
  table: string;
  /** Length of every vector (at most 2,000, pgvector's limit for an HNSW index on `vector`). */
  dimensions: number;
  /** Run `CREATE EXTENSION IF NOT EXISTS vector` (needs the privilege). @default true */
  createExtension?: boolean;
  /** HNSW graph degree (`m`). @default 16 */
  m?: number;
  /** HNSW candidate list while building (`ef_construction`). @default 64 */
  efConstruction?: number;
  /**
   * HNSW candidate list while searching (`hnsw.ef_search`, at most 1,000); a query with a
   * larger `k` is answered by an exact scan. @default 100
   */
  efSearch?: number;
  /** Records per `INSERT` statement of an upsert (all of one call are one transaction). @default 500 */
  batchSize?: number;
  /** Identity of this store's data ({@link VectorStore.scope}). @default `pgvector:` host:port/database/schema.table */
  scope?: string;
}

/** pgvector's largest dimension for an HNSW index on the `vector` type. */
export const PG_HNSW_MAX_DIMENSIONS = 2000;

/**
 * A {@link VectorStore} on PostgreSQL with the pgvector extension, through node-postgres (`pg`,
 * an optional peer dependency): one table `(id text primary key, text text, metadata jsonb,
 * embedding vector(d))` with an HNSW index and a GIN `jsonb_path_ops` index on the metadata.
 *
 * Vectors are stored L2-normalised and ranked by inner product (`<#>`, `vector_ip_ops`), which
 * on unit vectors is cosine similarity (pgvector's advice for normalised data): `score` is the
 * cosine similarity in [-1, 1], and a zero vector scores 0 as in the in-memory store. Queries
 * use the HNSW index with `hnsw.iterative_scan = strict_order` (pgvector ≥ 0.8), so a filtered
 * query keeps scanning the graph until `k` rows match; when the index still returns fewer than
 * `k` (its scan limits), or `k` exceeds `efSearch`, the query runs again as an exact scan.
 * Filters are translated by {@link toPgFilter} into parameterised SQL with the in-memory
 * semantics. Each `upsert` call is one transaction (all records or none), in statements of
 * `batchSize` rows.
 *
 * Sets `hnsw.ef_search` and `hnsw.iterative_scan` on the sessions it uses.
 */
export class PgVectorStore implements VectorStore {
  readonly kind = "pgvector";
  readonly dimensions: number;
  readonly scope: string;
  /** The quoted table name. */
  readonly table: string;
  readonly efSearch: number;
  readonly batchSize: number;
  private readonly prepared = new WeakSet<PgPoolClient>();

  /** Use {@link createPgVectorStore}. */
  constructor(
    readonly pool: PgPool,
    private readonly owned: boolean,
    options: { table: string; dimensions: number; scope: string; efSearch: number; batchSize: number },
  ) {
    this.table = options.table;
    this.dimensions = options.dimensions;
    this.scope = options.scope;
    this.efSearch = options.efSearch;
    this.batchSize = options.batchSize;
  }

  /**
   * Inserts or replaces records by id, in one transaction: every record is written or none is.
   * Records are checked before anything is sent; within one call the last record of an id wins.
   * @throws DimensionMismatchError; ValidationError (missing id or vector, non-finite values,
   *   metadata that is not flat scalars or one-type arrays, strings with NUL characters or lone
   *   surrogates, which PostgreSQL cannot store); ServiceError (the database).
   */
  async upsert(records: VectorRecord[], options?: CallOptions): Promise<void> {
    if (!Array.isArray(records)) throw new ValidationError("records must be an array");
    const last = new Map<string, VectorRecord>();
    for (const r of records) {
      checkDocument(r);
      checkVector(r.vector, this.dimensions, `vector of "${r.id}"`);
      last.delete(r.id);
      last.set(r.id, r);
    }
    if (last.size === 0) return;
    const rows = [...last.values()];
    await transaction(this.pool, "upsert", options?.signal, async (client) => {
      for (let i = 0; i < rows.length; i += this.batchSize) {
        const batch = rows.slice(i, i + this.batchSize);
        await client.query(
          `INSERT INTO ${this.table} (id, text, metadata, embedding)
           SELECT * FROM unnest($1::text[], $2::text[], $3::jsonb[], $4::vector[])
           ON CONFLICT (id) DO UPDATE SET text = EXCLUDED.text, metadata = EXCLUDED.metadata, embedding = EXCLUDED.embedding`,
          [
            batch.map((r) => r.id),
            batch.map((r) => r.text),
            batch.map((r) => JSON.stringify(r.metadata ?? {})),
            batch.map((r) => toVectorLiteral(unitVector(r.vector))),
          ],
        );
      }
    });
  }

  /** Deletes by id; unknown ids are ignored. @throws ServiceError */
  async delete(ids: string[], options?: CallOptions): Promise<void> {
    if (ids.length === 0) return;
    await withClient(this.pool, "delete", options?.signal, (c) =>
      c.query(`DELETE FROM ${this.table} WHERE id = ANY($1::text[])`, [ids]),
    );
  }

  /** Deletes every record matching `filter`; returns how many. @throws FilterError, ServiceError */
  async deleteWhere(filter: Filter, options?: CallOptions): Promise<number> {
    const where = toPgFilter(filter);
    const result = await withClient(this.pool, "deleteWhere", options?.signal, (c) =>
      c.query(`DELETE FROM ${this.table} WHERE ${where.sql}`, where.params),
    );
    return result.rowCount ?? 0;
  }

  /** Number of stored records. @throws ServiceError */
  async count(options?: CallOptions): Promise<number> {
    const result = await withClient(this.pool, "count", options?.signal, (c) =>
      c.query(`SELECT count(*)::bigint AS n FROM ${this.table}`),
    );
    return Number(result.rows[0]!.n);
  }

  /**
   * Top-k by cosine similarity, best first.
   * @throws DimensionMismatchError, FilterError, ValidationError (as the in-memory store), ServiceError.
   */
  async query(vector: Float32Array | number[], options: VectorQueryOptions): Promise<VectorHit[]> {
    checkVector(vector, this.dimensions, "query vector");
    const k = checkK(options?.k);
    const where = options.filter ? toPgFilter(options.filter, { firstParam: 3 }) : null;
    if (k === 0) return [];
    const q = toVectorLiteral(unitVector(vector));
    const columns = `id, text, metadata, -(embedding <#> $1::vector) AS score${options.includeVectors ? ", embedding::text AS embedding" : ""}`;
    const condition = where ? `WHERE ${where.sql}` : "";
    const params = [q, String(k), ...(where?.params ?? [])];
    const rows = await withClient(this.pool, "query", options.signal, async (client) => {
      if (k <= this.efSearch) {
        await this.prepareSession(client);
        // ordered by the indexed distance expression, so the planner may use the HNSW index
        const indexed = await client.query(
          `SELECT ${columns} FROM ${this.table} ${condition} ORDER BY embedding <#> $1::vector LIMIT $2::bigint`,
          params,
        );
        if (indexed.rows.length >= k) return indexed.rows;
      }
      // exact: an ORDER BY the index cannot serve (a computed score)
      const exact = await client.query(
        `SELECT ${columns} FROM ${this.table} ${condition} ORDER BY score DESC, id LIMIT $2::bigint`,
        params,
      );
      return exact.rows;
    });
    return rows.map((row) => {
      const hit: VectorHit = {
        id: row.id as string,
        text: row.text as string,
        metadata: row.metadata as Metadata,
        score: Number(row.score),
      };
      if (options.includeVectors) hit.vector = parseVector(row.embedding as string);
      return hit;
    });
  }

  private async prepareSession(client: PgPoolClient) {
    if (this.prepared.has(client)) return;
    await client.query(
      "SELECT set_config('hnsw.ef_search', $1, false), set_config('hnsw.iterative_scan', 'strict_order', false)",
      [String(this.efSearch)],
    );
    this.prepared.add(client);
  }

  /** Records by id (missing ids skipped), in the order asked, with their normalised vectors. @throws ServiceError */
  async get(ids: string[], options?: CallOptions): Promise<VectorRecord[]> {
    if (ids.length === 0) return [];
    const result = await withClient(this.pool, "get", options?.signal, (c) =>
      c.query(
        `SELECT id, text, metadata, embedding::text AS embedding FROM ${this.table} WHERE id = ANY($1::text[])`,
        [ids],
      ),
    );
    const byId = new Map(result.rows.map((r) => [r.id as string, r]));
    const out: VectorRecord[] = [];
    for (const id of new Set(ids)) {
      const r = byId.get(id);
      if (r)
        out.push({
          id,
          text: r.text as string,
          metadata: r.metadata as Metadata,
          vector: parseVector(r.embedding as string),
        });
    }
    return out;
  }

  /** Every stored document (no vectors) in pages of `pageSize` (@default 1000), by id (keyset pagination on the primary key index). */
  async *scan(options: CallOptions & { pageSize?: number } = {}): AsyncIterable<Document[]> {
    const pageSize = options.pageSize ?? 1000;
    let after: string | null = null;
    for (;;) {
      const from: string | null = after;
      const result = await withClient(this.pool, "scan", options.signal, (c) =>
        from === null
          ? c.query(`SELECT id, text, metadata FROM ${this.table} ORDER BY id LIMIT $1`, [pageSize])
          : c.query(`SELECT id, text, metadata FROM ${this.table} WHERE id > $1 ORDER BY id LIMIT $2`, [
              from,
              pageSize,
            ]),
      );
      if (result.rows.length === 0) return;
      yield result.rows.map((r) => ({
        id: r.id as string,
        text: r.text as string,
        metadata: r.metadata as Metadata,
      }));
      if (result.rows.length < pageSize) return;
      after = result.rows[result.rows.length - 1]!.id as string;
    }
  }

  /** Readiness probe (`SELECT 1`). @throws ServiceError when the database is unreachable. */
  async ping(options?: CallOptions): Promise<void> {
    await withClient(this.pool, "ping", options?.signal, (c) => c.query("SELECT 1"));
  }

  /** Ends the pool when this store created it (from `connectionString`); a shared pool is left open. */
  async close(): Promise<void> {
    if (this.owned) await this.pool.end();
  }
}

const positive = (name: string, value: number, max = Number.MAX_SAFE_INTEGER) => {
  if (!Number.isInteger(value) || value <= 0 || value > max)
    throw new ValidationError(`${name} must be an integer in [1, ${max}], got ${String(value)}`);
  return value;
};

/**
 * Connects to PostgreSQL and creates (if missing) the extension, the table and its indexes.
 * An existing table must have `dimensions`.
 * @throws ValidationError for a bad table name or option, or an existing table of other
 *   dimensions; ServiceError when the database (or `pg`) is unavailable.
 */
export async function createPgVectorStore(options: PgVectorStoreOptions): Promise<PgVectorStore> {
  const dimensions = positive("dimensions", options.dimensions, PG_HNSW_MAX_DIMENSIONS);
  const m = positive("m", options.m ?? 16, 100);
  const efConstruction = positive("efConstruction", options.efConstruction ?? 64, 1000);
  const efSearch = positive("efSearch", options.efSearch ?? 100, 1000);
  const batchSize = positive("batchSize", options.batchSize ?? 500);
  const { quoted, parts } = quoteName(options.table);
  if (options.scope !== undefined && (typeof options.scope !== "string" || options.scope.length === 0))
    throw new ValidationError("scope must be a non-empty string");
  const { pool, owned, server } = await openPool(options);
  const base = parts.join("_");
  try {
    await transaction(pool, "create table", undefined, async (c) => {
      if (options.createExtension ?? true) await c.query("CREATE EXTENSION IF NOT EXISTS vector");
      await c.query(
        `CREATE TABLE IF NOT EXISTS ${quoted} (id text PRIMARY KEY, text text NOT NULL, metadata jsonb NOT NULL DEFAULT '{}'::jsonb, embedding vector(${dimensions}) NOT NULL)`,
      );
      const existing = await c.query(
        "SELECT atttypmod FROM pg_attribute WHERE attrelid = $1::regclass AND attname = 'embedding'",
        [quoted],
      );
      const stored = Number(existing.rows[0]?.atttypmod);
      if (stored !== dimensions)
        throw new ValidationError(
          `table ${options.table} holds vectors of ${stored} dimensions, not ${dimensions}`,
        );
      await c.query(
        `CREATE INDEX IF NOT EXISTS "${base}_embedding_hnsw" ON ${quoted} USING hnsw (embedding vector_ip_ops) WITH (m = ${m}, ef_construction = ${efConstruction})`,
      );
      await c.query(
        `CREATE INDEX IF NOT EXISTS "${base}_metadata_gin" ON ${quoted} USING gin (metadata jsonb_path_ops)`,
      );
    });
  } catch (error) {
    if (owned) await pool.end().catch(() => {});
    throw error;
  }
  return new PgVectorStore(pool, owned, {
    table: quoted,
    dimensions,
    efSearch,
    batchSize,
    scope:
      options.scope ?? `pgvector:${server}/${parts.length === 2 ? parts.join(".") : `public.${parts[0]}`}`,
  });
}
