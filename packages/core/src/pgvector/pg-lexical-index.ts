import { ValidationError } from "../errors/errors.js";
import type { Filter } from "../filter/types.js";
import { checkK } from "../math/check-vector.js";
import type { Document, Metadata, ScoredDocument } from "../types/document.js";
import type { CallOptions } from "../types/embedder.js";
import type { LexicalIndex, LexicalSearchOptions } from "../types/lexical-index.js";
import {
  openPool,
  type PgConnectionOptions,
  type PgPool,
  quoteName,
  transaction,
  withClient,
} from "./pg-connection.js";
import { checkDocument } from "./pg-records.js";
import { toPgFilter } from "./translate-filter.js";

/** How a query's words must match, see {@link PgLexicalIndexOptions.match}. */
export type PgQueryMatch = "any" | "all" | "websearch";

/** Options of {@link createPgLexicalIndex}. */
export interface PgLexicalIndexOptions extends PgConnectionOptions {
  /** Table of the documents, `table` or `schema.table`; created when missing. */
  table: string;
  /** Text search configuration (analyzer: stemmer and stop words), e.g. `english`, `simple`. @default "english" */
  config?: string;
  /**
   * Which documents a query matches: `"any"` (documents with at least one of the query's
   * lexemes, like BM25: an OR of the lexemes of `to_tsvector(config, query)`), `"all"`
   * (`plainto_tsquery`: every lexeme) or `"websearch"` (`websearch_to_tsquery`: quoted phrases,
   * `or`, `-word`). @default "any"
   */
  match?: PgQueryMatch;
  /**
   * `ts_rank_cd` normalisation bits (PostgreSQL manual, "Ranking Search Results"): 0 ignores the
   * document length, 1 divides by 1 + log(length), 2 by the length, 4 by the mean harmonic
   * distance between extents, 8 by the number of unique words, 16 by 1 + log(unique words), 32
   * maps rank to rank/(rank+1). @default 1
   */
  normalization?: number;
  /** Rows per `INSERT` statement of an `add` (all of one call are one transaction). @default 500 */
  batchSize?: number;
  /** Identity of this index's data. @default `postgres-fts:` host:port/database/schema.table/config */
  scope?: string;
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/**
 * A {@link LexicalIndex} on PostgreSQL full-text search through node-postgres (`pg`, an optional
 * peer dependency): a table `(id text primary key, text text, metadata jsonb, tsv tsvector)`
 * whose `tsv` column is generated from the text (`to_tsvector(config, text)`, stored) with a GIN
 * index, and a GIN `jsonb_path_ops` index on the metadata. Queries rank with `ts_rank_cd`
 * (cover density: Clarke, Cormack & Tudhope, "Relevance ranking for one to three term queries",
 * 2000) and apply filters in SQL ({@link toPgFilter}, the in-memory semantics), so a hybrid
 * retriever on PostgreSQL needs no index in process and every replica sees the same one.
 *
 * `score` is `ts_rank_cd`'s value (≥ 0, higher is better; not BM25: on BEIR SciFact it ranks
 * below ragloom's BM25, see the benchmarks). Ties are broken by id.
 */
export class PgLexicalIndex implements LexicalIndex {
  readonly kind = "postgres-fts";
  readonly scope: string;
  /** The quoted table name. */
  readonly table: string;
  readonly config: string;
  readonly match: PgQueryMatch;
  readonly normalization: number;
  readonly batchSize: number;

  /** Use {@link createPgLexicalIndex}. */
  constructor(
    readonly pool: PgPool,
    private readonly owned: boolean,
    options: {
      table: string;
      config: string;
      match: PgQueryMatch;
      normalization: number;
      batchSize: number;
      scope: string;
    },
  ) {
    this.table = options.table;
    this.config = options.config;
    this.match = options.match;
    this.normalization = options.normalization;
    this.batchSize = options.batchSize;
    this.scope = options.scope;
  }

  /**
   * Adds or replaces documents by id, in one transaction (all or none).
   * @throws ValidationError (as `PgVectorStore.upsert`, without vectors); ServiceError.
   */
  async add(documents: Document[], options?: CallOptions): Promise<void> {
    if (!Array.isArray(documents)) throw new ValidationError("documents must be an array");
    const last = new Map<string, Document>();
    for (const d of documents) {
      checkDocument(d);
      last.delete(d.id);
      last.set(d.id, d);
    }
    if (last.size === 0) return;
    const rows = [...last.values()];
    await transaction(this.pool, "lexical add", options?.signal, async (client) => {
      for (let i = 0; i < rows.length; i += this.batchSize) {
        const batch = rows.slice(i, i + this.batchSize);
        await client.query(
          `INSERT INTO ${this.table} (id, text, metadata)
           SELECT * FROM unnest($1::text[], $2::text[], $3::jsonb[])
           ON CONFLICT (id) DO UPDATE SET text = EXCLUDED.text, metadata = EXCLUDED.metadata`,
          [
            batch.map((d) => d.id),
            batch.map((d) => d.text),
            batch.map((d) => JSON.stringify(d.metadata ?? {})),
          ],
        );
      }
    });
  }

  /** Deletes by id; unknown ids are ignored. @throws ServiceError */
  async delete(ids: string[], options?: CallOptions): Promise<void> {
    if (ids.length === 0) return;
    await withClient(this.pool, "lexical delete", options?.signal, (c) =>
      c.query(`DELETE FROM ${this.table} WHERE id = ANY($1::text[])`, [ids]),
    );
  }

  /** Deletes every document matching `filter`; returns how many. @throws FilterError, ServiceError */
  async deleteWhere(filter: Filter, options?: CallOptions): Promise<number> {
    const where = toPgFilter(filter);
    const result = await withClient(this.pool, "lexical deleteWhere", options?.signal, (c) =>
      c.query(`DELETE FROM ${this.table} WHERE ${where.sql}`, where.params),
    );
    return result.rowCount ?? 0;
  }

  /** Number of indexed documents. @throws ServiceError */
  async count(options?: CallOptions): Promise<number> {
    const result = await withClient(this.pool, "lexical count", options?.signal, (c) =>
      c.query(`SELECT count(*)::bigint AS n FROM ${this.table}`),
    );
    return Number(result.rows[0]!.n);
  }

  /** The tsquery expression of `$2` (the query text) under `$1` (the configuration). */
  private tsquery(): string {
    if (this.match === "all") return "plainto_tsquery($1::regconfig, $2)";
    if (this.match === "websearch") return "websearch_to_tsquery($1::regconfig, $2)";
    // OR of the query's lexemes, each quoted as a tsquery literal (quotes and backslashes escaped)
    return `(SELECT string_agg('''' || replace(replace(l, '\\', '\\\\'), '''', '''''') || '''', ' | ')
             FROM unnest(tsvector_to_array(to_tsvector($1::regconfig, $2))) AS l)::tsquery`;
  }

  /**
   * Top-k documents by `ts_rank_cd`, best first (ties by id); documents matching no query
   * lexeme are not returned.
   * @throws ValidationError for a bad `k` or a query that is not a string (or holds a NUL
   *   character); FilterError; ServiceError.
   */
  async search(query: string, options: LexicalSearchOptions): Promise<ScoredDocument[]> {
    const k = checkK(options?.k);
    if (typeof query !== "string") throw new ValidationError("query must be a string");
    if (query.includes("\u0000")) throw new ValidationError("query may not hold NUL characters");
    const where = options.filter
      ? toPgFilter(options.filter, { firstParam: 5, metadataColumn: 'd."metadata"', textColumn: 'd."text"' })
      : null;
    if (k === 0) return [];
    const result = await withClient(this.pool, "lexical search", options.signal, (c) =>
      c.query(
        `SELECT d.id, d.text, d.metadata, ts_rank_cd(d.tsv, q.query, $4::int) AS score
         FROM ${this.table} d, (SELECT ${this.tsquery()} AS query) q
         WHERE d.tsv @@ q.query${where ? ` AND ${where.sql}` : ""}
         ORDER BY score DESC, d.id LIMIT $3::bigint`,
        [this.config, query, String(k), String(this.normalization), ...(where?.params ?? [])],
      ),
    );
    return result.rows.map((r) => ({
      id: r.id as string,
      text: r.text as string,
      metadata: r.metadata as Metadata,
      score: Number(r.score),
    }));
  }

  /** Readiness probe (`SELECT 1`). @throws ServiceError */
  async ping(options?: CallOptions): Promise<void> {
    await withClient(this.pool, "ping", options?.signal, (c) => c.query("SELECT 1"));
  }

  /** Ends the pool when this index created it (from `connectionString`). */
  async close(): Promise<void> {
    if (this.owned) await this.pool.end();
  }
}

/**
 * Connects to PostgreSQL and creates (if missing) the table, its generated `tsvector` column
 * and the GIN indexes.
 * @throws ValidationError for a bad table or configuration name or option; ServiceError when the
 *   database (or `pg`) is unavailable, or the configuration does not exist there.
 */
export async function createPgLexicalIndex(options: PgLexicalIndexOptions): Promise<PgLexicalIndex> {
  const { quoted, parts } = quoteName(options.table);
  const config = options.config ?? "english";
  if (!IDENT.test(config))
    throw new ValidationError(`config must be a configuration name, got ${JSON.stringify(config)}`);
  const match = options.match ?? "any";
  if (!["any", "all", "websearch"].includes(match))
    throw new ValidationError(`match must be "any", "all" or "websearch", got ${JSON.stringify(match)}`);
  const normalization = options.normalization ?? 1;
  if (!Number.isInteger(normalization) || normalization < 0 || normalization > 63)
    throw new ValidationError(
      `normalization must be an integer of bits in [0, 63], got ${String(normalization)}`,
    );
  const batchSize = options.batchSize ?? 500;
  if (!Number.isInteger(batchSize) || batchSize <= 0)
    throw new ValidationError(`batchSize must be a positive integer, got ${String(batchSize)}`);
  if (options.scope !== undefined && (typeof options.scope !== "string" || options.scope.length === 0))
    throw new ValidationError("scope must be a non-empty string");
  const { pool, owned, server } = await openPool(options);
  const base = parts.join("_");
  try {
    await transaction(pool, "create lexical table", undefined, async (c) => {
      // config is checked against IDENT above: a generated column's expression cannot take parameters
      await c.query(
        `CREATE TABLE IF NOT EXISTS ${quoted} (id text PRIMARY KEY, text text NOT NULL, metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
         tsv tsvector GENERATED ALWAYS AS (to_tsvector('${config}'::regconfig, text)) STORED)`,
      );
      await c.query(`CREATE INDEX IF NOT EXISTS "${base}_tsv_gin" ON ${quoted} USING gin (tsv)`);
      await c.query(
        `CREATE INDEX IF NOT EXISTS "${base}_metadata_gin" ON ${quoted} USING gin (metadata jsonb_path_ops)`,
      );
    });
  } catch (error) {
    if (owned) await pool.end().catch(() => {});
    throw error;
  }
  const name = parts.length === 2 ? parts.join(".") : `public.${parts[0]}`;
  return new PgLexicalIndex(pool, owned, {
    table: quoted,
    config,
    match,
    normalization,
    batchSize,
    scope: options.scope ?? `postgres-fts:${server}/${name}/${config}`,
  });
}
