import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  F,
  type Filter,
  FilterError,
  InMemoryVectorStore,
  type Metadata,
  ServiceError,
  ValidationError,
} from "../src/index.js";
import { createPgVectorStore, type PgPool, PgVectorStore, toPgFilter } from "../src/pgvector.js";
import type { VectorRecord } from "../src/types/vector-store.js";
import { type PgliteServer, startPgliteServer } from "./pglite-server.js";
import { runVectorStoreConformance } from "./vector-store-conformance.js";

let server: PgliteServer;
let pool: pg.Pool;
let n = 0;
beforeAll(async () => {
  server = await startPgliteServer();
  pool = server.pool();
}, 60_000);
afterAll(() => server?.stop());

const table = () => `t_${process.pid}_${n++}`;

runVectorStoreConformance("PgVectorStore (pgvector on PGlite over the wire protocol)", async () =>
  createPgVectorStore({ pool: pool as unknown as PgPool, table: table(), dimensions: 4 }),
);

let seed = 3;
const rand = () => {
  seed = (seed * 16807) % 2147483647;
  return seed / 2147483647;
};
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;

/** Metadata with the awkward cases: missing fields, arrays, a field holding numbers in some records and strings in others. */
function metadataOf(i: number): Metadata {
  const m: Metadata = {};
  if (i % 5 !== 0) m.lang = pick(["ts", "js", "go", "py", "TS"]);
  if (i % 7 !== 0) m.year = pick([2020, 2021, 2021.5, 2022, 2023, -1, 0]);
  if (i % 3 === 0) m.year2 = pick(["2021", 2021, true]);
  if (i % 4 !== 0) m.tags = pick([["a"], ["a", "b"], ["b", "c"], ["2021"]]);
  if (i % 6 === 1) m.nums = [1, 2, 3];
  if (i % 2 === 0) m.open = i % 4 === 0;
  m.note = pick(["it's", 'say "hi"', "back\\slash", "ünïcødé", "%_like", ""]);
  return m;
}
function randomLeaf(): Filter {
  const field = pick(["lang", "year", "year2", "tags", "nums", "open", "note", "missing"]);
  const value = () =>
    pick<string | number | boolean>(["ts", "a", "b", "2021", 2021, 2021.5, 2, true, false, "it's", ""]);
  switch (pick(["eq", "ne", "gt", "gte", "lt", "lte", "in", "nin", "contains", "doc"] as const)) {
    case "eq":
      return F.eq(field, value());
    case "ne":
      return F.ne(field, value());
    case "gt":
      return F.gt(field, pick([2020, 2021, 0, 2.5]));
    case "gte":
      return F.gte(field, pick([2021, 2021.5, 1]));
    case "lt":
      return F.lt(field, pick([2022, 0, 3]));
    case "lte":
      return F.lte(field, pick([2021, -1]));
    case "in":
      return F.in(field, pick([["ts", "go"], [2021, 2022], [true], ["a", "2021"]]) as string[]);
    case "nin":
      return F.nin(field, pick([["ts", "go"], [2021, 2022], [false], ["b"]]) as string[]);
    case "contains":
      return F.contains(field, value());
    default:
      return F.contains("$document", pick(["doc 1", "odd", "even", "'", "%"]));
  }
}
function randomFilter(depth = 0): Filter {
  const r = rand();
  if (depth > 2 || r < 0.45) return randomLeaf();
  if (r < 0.65) return F.not(randomFilter(depth + 1));
  const children = Array.from({ length: 1 + Math.floor(rand() * 3) }, () => randomFilter(depth + 1));
  return r < 0.85 ? F.and(...children) : F.or(...children);
}

describe("PgVectorStore: same records as the in-memory evaluator", () => {
  it("300 random filters over awkward metadata give identical id sets", async () => {
    const records: VectorRecord[] = Array.from({ length: 120 }, (_, i) => ({
      id: `d${i}`,
      text: `doc ${i} ${i % 2 ? "odd" : "even"} it's 100%`,
      metadata: metadataOf(i),
      vector: [rand(), rand(), rand(), rand()],
    }));
    const store = await createPgVectorStore({
      pool: pool as unknown as PgPool,
      table: table(),
      dimensions: 4,
    });
    const memory = new InMemoryVectorStore({ dimensions: 4 });
    await store.upsert(records);
    await memory.upsert(records);
    for (let t = 0; t < 300; t++) {
      const filter = randomFilter();
      const q = [rand(), rand(), rand(), rand()];
      const want = (await memory.query(q, { k: 200, filter })).map((h) => h.id).sort();
      const got = (await store.query(q, { k: 200, filter })).map((h) => h.id).sort();
      expect(got, JSON.stringify(filter)).toEqual(want);
    }
  });

  it("ranks like the exact store, with cosine scores", async () => {
    const records: VectorRecord[] = Array.from({ length: 400 }, (_, i) => ({
      id: `v${i}`,
      text: "",
      metadata: { i },
      vector: Array.from({ length: 8 }, () => rand() - 0.5),
    }));
    const store = await createPgVectorStore({
      pool: pool as unknown as PgPool,
      table: table(),
      dimensions: 8,
    });
    const memory = new InMemoryVectorStore({ dimensions: 8 });
    await store.upsert(records);
    await memory.upsert(records);
    for (let t = 0; t < 10; t++) {
      const q = Array.from({ length: 8 }, () => rand() - 0.5);
      const want = await memory.query(q, { k: 10, filter: F.lt("i", 100) });
      const got = await store.query(q, { k: 10, filter: F.lt("i", 100) });
      expect(got.map((h) => h.id)).toEqual(want.map((h) => h.id));
      got.forEach((h, j) => expect(h.score).toBeCloseTo(want[j]!.score, 5));
    }
    expect((await store.query(new Array(8).fill(0), { k: 3 })).map((h) => h.score)).toEqual([0, 0, 0]);
  });
});

describe("PgVectorStore: writes", () => {
  /** A pool whose Nth query (counting from the wrapper's creation) fails, to break a transaction half-way. */
  function failingPool(failAt: (sql: string, i: number) => boolean): PgPool {
    let i = 0;
    const inner = pool as unknown as PgPool;
    return {
      query: (text, values) => inner.query(text, values),
      end: async () => {},
      async connect() {
        const client = await inner.connect();
        return {
          release: (e) => client.release(e),
          query: async (text, values) => {
            if (failAt(text, i++)) throw Object.assign(new Error("connection reset"), { code: "08006" });
            return client.query(text, values);
          },
        };
      },
    };
  }

  it("an upsert is all-or-nothing: a failure in its second statement leaves every record as it was", async () => {
    const name = table();
    const store = await createPgVectorStore({ pool: pool as unknown as PgPool, table: name, dimensions: 4 });
    await store.upsert([{ id: "a", text: "old a", metadata: { v: 1 }, vector: [1, 0, 0, 0] }]);
    let inserts = 0;
    const broken = await createPgVectorStore({
      pool: failingPool((sql) => sql.includes("INSERT") && ++inserts === 2),
      table: name,
      dimensions: 4,
      batchSize: 2,
    });
    const batch = ["a", "b", "c", "d"].map((id) => ({
      id,
      text: `new ${id}`,
      metadata: { v: 2 },
      vector: [0, 1, 0, 0],
    }));
    const error = await broken.upsert(batch).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceError);
    expect((error as ServiceError).retryable).toBe(true);
    expect(await store.count()).toBe(1);
    expect((await store.get(["a"]))[0]!.text).toBe("old a");
    await store.upsert(batch);
    expect(await store.count()).toBe(4);
  });

  it("rejects strings PostgreSQL cannot store, writing nothing", async () => {
    const store = await createPgVectorStore({
      pool: pool as unknown as PgPool,
      table: table(),
      dimensions: 4,
    });
    for (const bad of [
      { id: "x", text: "nul \u0000 inside", metadata: {} },
      { id: "x", text: "", metadata: { k: "lone \ud800 surrogate" } },
      { id: "x", text: "", metadata: { k: Number.NaN } },
      { id: "x", text: "", metadata: { k: { nested: 1 } } as never },
      { id: "x", text: "", metadata: { k: [1, "a"] } as never },
    ]) {
      await expect(store.upsert([{ ...bad, vector: [1, 0, 0, 0] } as VectorRecord])).rejects.toBeInstanceOf(
        ValidationError,
      );
    }
    expect(await store.count()).toBe(0);
    await expect(store.query([1, 0, 0, 0], { k: 1, filter: F.eq("k", "a\u0000") })).rejects.toBeInstanceOf(
      FilterError,
    );
  });

  it("refuses a table of other dimensions and bad names", async () => {
    const name = table();
    await createPgVectorStore({ pool: pool as unknown as PgPool, table: name, dimensions: 4 });
    await expect(
      createPgVectorStore({ pool: pool as unknown as PgPool, table: name, dimensions: 8 }),
    ).rejects.toThrow(/4 dimensions, not 8/);
    await expect(
      createPgVectorStore({ pool: pool as unknown as PgPool, table: 'x"; DROP TABLE y; --', dimensions: 4 }),
    ).rejects.toBeInstanceOf(ValidationError);
  });

  it("connects from a connection string and reports an unreachable server as a retryable ServiceError", async () => {
    const store = await createPgVectorStore({
      connectionString: server.connectionString,
      table: table(),
      dimensions: 4,
    });
    expect(store).toBeInstanceOf(PgVectorStore);
    expect(store.scope).toMatch(/^pgvector:127\.0\.0\.1:\d+\/postgres\/public\.t_/);
    await store.ping();
    await store.close();
    const error = await createPgVectorStore({
      connectionString: "postgres://postgres@127.0.0.1:1/postgres",
      table: table(),
      dimensions: 4,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceError);
    expect((error as ServiceError).retryable).toBe(true);
  });
});

describe("toPgFilter", () => {
  it("passes every value and field name as a parameter", () => {
    const { sql, params } = toPgFilter(
      F.and(F.eq("lang'; DROP TABLE x; --", "it's"), F.in("y", [1, 2]), F.contains("$document", "'; --")),
    );
    expect(sql).not.toContain("DROP");
    expect(sql).not.toContain("it's");
    expect(params).toEqual(['{"lang\'; DROP TABLE x; --":"it\'s"}', ["1", "2"], "y", "'; --"]);
  });
});
