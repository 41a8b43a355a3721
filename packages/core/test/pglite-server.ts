/**
 * A real PostgreSQL (PGlite, Postgres 18 compiled to WebAssembly) with the pgvector extension,
 * served over the Postgres wire protocol on a loopback port by `@electric-sql/pglite-socket`,
 * for tests that talk to it through node-postgres exactly as to a server.
 */
import { PGlite } from "@electric-sql/pglite";
import { vector } from "@electric-sql/pglite-pgvector";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import pg from "pg";
import { freePort } from "../../../test/services.js";

export interface PgliteServer {
  connectionString: string;
  /** A pool of one connection (PGlite is one session: concurrent connections would share it). */
  pool(): pg.Pool;
  stop(): Promise<void>;
}

export async function startPgliteServer(): Promise<PgliteServer> {
  const db = await PGlite.create({ extensions: { vector } });
  const port = await freePort();
  const server = new PGLiteSocketServer({ db, host: "127.0.0.1", port, maxConnections: 4 });
  await server.start();
  const connectionString = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const pools: pg.Pool[] = [];
  return {
    connectionString,
    pool() {
      const pool = new pg.Pool({ connectionString, max: 1 });
      pools.push(pool);
      return pool;
    },
    async stop() {
      await Promise.all(pools.map((p) => p.end().catch(() => {})));
      await server.stop();
      await db.close();
    },
  };
}
