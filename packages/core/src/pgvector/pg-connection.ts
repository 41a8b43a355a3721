import { randomUUID } from "node:crypto";
import { RagloomError, ServiceError, throwIfAborted, ValidationError } from "../errors/errors.js";

/** A query result as node-postgres returns it. */
export interface PgResult {
  rows: Array<Record<string, unknown>>;
  rowCount: number | null;
}

/** Anything that runs a parameterised query: a `pg.Client`, a `pg.PoolClient`. */
export interface PgQueryable {
  query(text: string, values?: unknown[]): Promise<PgResult>;
}

/** A checked-out connection of a pool (`pg.PoolClient`). */
export interface PgPoolClient extends PgQueryable {
  release(error?: Error | boolean): void;
}

/** A connection pool: a `pg.Pool` or anything shaped like one. */
export interface PgPool extends PgQueryable {
  connect(): Promise<PgPoolClient>;
  end(): Promise<void>;
}

/** How a Postgres-backed component reaches its database. */
export interface PgConnectionOptions {
  /** A `postgres://user:password@host:port/database` URL, for a pool this component creates and owns. */
  connectionString?: string;
  /**
   * An existing `pg.Pool` to share (e.g. between a `PgVectorStore` and a `PgLexicalIndex`);
   * it is not ended by `close()`. Takes precedence over `connectionString`.
   */
  pool?: PgPool;
  /** Connections of the pool created from `connectionString`. @default 10 */
  poolSize?: number;
}

/** The pool to use, whether this component owns it, and a description of the server for `scope`. */
export interface OpenedPool {
  pool: PgPool;
  owned: boolean;
  server: string;
}

/**
 * Opens (or adopts) a pool. `pg` (node-postgres, an optional peer dependency) is imported
 * lazily, only when a pool must be created.
 * @throws ValidationError without `pool` or `connectionString`; ServiceError when `pg` is not installed.
 */
export async function openPool(options: PgConnectionOptions): Promise<OpenedPool> {
  if (options.pool) {
    const o = (options.pool as { options?: { host?: unknown; port?: unknown; database?: unknown } }).options;
    const server =
      o && typeof o.host === "string"
        ? `${o.host}:${String(o.port ?? 5432)}/${String(o.database ?? "")}`
        : `pool-${randomUUID()}`;
    return { pool: options.pool, owned: false, server };
  }
  if (!options.connectionString) throw new ValidationError("pass a pool or a connectionString");
  let pg: typeof import("pg");
  try {
    pg = await import("pg");
  } catch (cause) {
    throw new ServiceError("postgres", "install the optional peer dependency pg (npm i pg)", {
      retryable: false,
      cause,
    });
  }
  const Pool = pg.Pool ?? (pg as unknown as { default: typeof import("pg") }).default.Pool;
  const pool = new Pool({ connectionString: options.connectionString, max: options.poolSize ?? 10 });
  const url = new URL(options.connectionString);
  return {
    pool: pool as unknown as PgPool,
    owned: true,
    server: `${url.hostname}:${url.port || 5432}${url.pathname}`,
  };
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/**
 * Quotes a table or schema name for SQL (identifiers cannot be parameters): `schema.table` or
 * `table`, each part letters, digits and underscores, at most 63 characters, not starting with
 * a digit.
 * @throws ValidationError for any other name.
 */
export function quoteName(name: string): { quoted: string; parts: string[] } {
  const parts = typeof name === "string" ? name.split(".") : [];
  if (parts.length < 1 || parts.length > 2 || !parts.every((p) => IDENT.test(p)))
    throw new ValidationError(
      `table name must be "table" or "schema.table" of letters, digits and underscores, got ${JSON.stringify(name)}`,
    );
  return { quoted: parts.map((p) => `"${p}"`).join("."), parts };
}

/** SQLSTATE classes worth retrying: connection (08), transaction rollback (40), resources (53), operator intervention (57). */
const RETRYABLE = /^(08|40|53|57)/;

/** Wraps a node-postgres error as a {@link ServiceError} (`service: "postgres"`), keeping ours as they are. */
export function pgError(error: unknown, what: string): RagloomError {
  if (error instanceof RagloomError) return error;
  const code = (error as { code?: unknown })?.code;
  const sqlstate = typeof code === "string" && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
  const message = error instanceof Error ? error.message : String(error);
  return new ServiceError(
    "postgres",
    `${what} failed${sqlstate ? ` (SQLSTATE ${sqlstate})` : ""}: ${message}`,
    {
      retryable: sqlstate ? RETRYABLE.test(sqlstate) : true,
      cause: error,
    },
  );
}

/** Whether an error may have left the connection unusable (no SQLSTATE, or a connection-class one). */
function brokeConnection(error: unknown): boolean {
  if (error instanceof RagloomError) return false;
  const code = (error as { code?: unknown })?.code;
  return typeof code !== "string" || /^(08|57P)/.test(code);
}

/**
 * Runs `fn` on one connection of the pool, released afterwards (destroyed after an error that
 * may have broken it, so a connection in an unknown state is never reused).
 */
export async function withClient<T>(
  pool: PgPool,
  what: string,
  signal: AbortSignal | undefined,
  fn: (client: PgPoolClient) => Promise<T>,
): Promise<T> {
  throwIfAborted(signal);
  let client: PgPoolClient;
  try {
    client = await pool.connect();
  } catch (error) {
    throw pgError(error, `${what}: connect`);
  }
  let failed: Error | undefined;
  try {
    const result = await fn(client);
    throwIfAborted(signal);
    return result;
  } catch (error) {
    if (brokeConnection(error)) failed = error instanceof Error ? error : new Error(String(error));
    throw pgError(error, what);
  } finally {
    client.release(failed);
  }
}

/** Runs `fn` in a transaction (BEGIN … COMMIT, ROLLBACK on any error): all or nothing. */
export function transaction<T>(
  pool: PgPool,
  what: string,
  signal: AbortSignal | undefined,
  fn: (client: PgPoolClient) => Promise<T>,
): Promise<T> {
  return withClient(pool, what, signal, async (client) => {
    await client.query("BEGIN");
    try {
      const result = await fn(client);
      throwIfAborted(signal);
      await client.query("COMMIT");
      return result;
    } catch (error) {
      await client.query("ROLLBACK").catch(() => {});
      throw error;
    }
  });
}
