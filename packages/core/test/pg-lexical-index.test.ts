import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  BM25Index,
  createRetriever,
  type Document,
  F,
  FilterError,
  InMemoryVectorStore,
  type LexicalIndex,
  ValidationError,
} from "../src/index.js";
import {
  createPgLexicalIndex,
  createPgVectorStore,
  type PgLexicalIndex,
  type PgPool,
} from "../src/pgvector.js";
import { type PgliteServer, startPgliteServer } from "./pglite-server.js";
import { loadMiniLM, NEW_EIFFEL, OLD_EIFFEL, smallSplitter } from "./retriever-fixtures.js";

let server: PgliteServer;
let pool: PgPool;
let n = 0;
beforeAll(async () => {
  server = await startPgliteServer();
  pool = server.pool() as unknown as PgPool;
}, 60_000);
afterAll(() => server?.stop());
const table = () => `lex_${process.pid}_${n++}`;

const docs: Document[] = [
  {
    id: "a",
    text: "Retrying requests with exponential backoff and jitter",
    metadata: { lang: "ts", year: 2021, tags: ["net"] },
  },
  {
    id: "b",
    text: "A circuit breaker stops calls to a failing service",
    metadata: { lang: "js", year: 2022 },
  },
  {
    id: "c",
    text: "The runner retried the failed job twice",
    metadata: { lang: "go", year: 2023, tags: ["ci"] },
  },
  { id: "d", text: "Backoff: wait longer after each failure; it's simple", metadata: { year: 2024 } },
  { id: "e", text: "Unrelated text about gardening and tomatoes", metadata: { lang: "py" } },
];

describe("PgLexicalIndex (PostgreSQL full-text search on PGlite)", () => {
  let index: PgLexicalIndex;
  beforeAll(async () => {
    index = await createPgLexicalIndex({ pool, table: table() });
    await index.add(docs);
  });

  it("matches stemmed words, any of the query's terms, ranked by ts_rank_cd", async () => {
    const hits = await index.search("retry failures with backoff", { k: 10 });
    expect(hits.map((h) => h.id).sort()).toEqual(["a", "c", "d"]); // "failing" stems to "fail", "failures" to "failur"
    expect(hits[0]!.id).toMatch(/^[ad]$/);
    for (let i = 1; i < hits.length; i++) expect(hits[i]!.score).toBeLessThanOrEqual(hits[i - 1]!.score);
    expect(await index.search("the and of", { k: 10 })).toEqual([]); // stop words only
    expect(await index.search("it's \\ 'quoted' \"x\" | & ! :*", { k: 10 })).toEqual(expect.any(Array));
    expect(await index.search("tomato", { k: 0 })).toEqual([]);
  });

  it("applies filters in SQL with the in-memory semantics", async () => {
    const bm25 = new BM25Index();
    bm25.add(docs);
    for (const filter of [
      F.eq("lang", "ts"),
      F.ne("lang", "ts"),
      F.gte("year", 2022),
      F.contains("tags", "ci"),
      F.not(F.contains("tags", "ci")),
      F.nin("lang", ["go", "js"]),
      F.and(F.contains("$document", "Backoff"), F.gt("year", 2000)),
    ]) {
      const got = (await index.search("retry failure backoff service job", { k: 10, filter }))
        .map((h) => h.id)
        .sort();
      const want = bm25
        .search("retry failure backoff service job", { k: 10, filter })
        .map((h) => h.id)
        .sort();
      expect(got, JSON.stringify(filter)).toEqual(want);
    }
    await expect(index.search("x", { k: 3, filter: { op: "regex" } as never })).rejects.toBeInstanceOf(
      FilterError,
    );
    await expect(index.search("x", { k: 1.5 })).rejects.toBeInstanceOf(ValidationError);
  });

  it("all and websearch match modes", async () => {
    const all = await createPgLexicalIndex({ pool, table: index.table.replaceAll('"', ""), match: "all" });
    expect((await all.search("backoff jitter", { k: 5 })).map((h) => h.id)).toEqual(["a"]);
    const web = await createPgLexicalIndex({
      pool,
      table: index.table.replaceAll('"', ""),
      match: "websearch",
    });
    expect((await web.search('"circuit breaker" or tomatoes -gardening', { k: 5 })).map((h) => h.id)).toEqual(
      ["b"],
    );
  });

  it("replaces by id, deletes by id and by filter", async () => {
    const idx = await createPgLexicalIndex({ pool, table: table() });
    await idx.add(docs);
    await idx.add([{ id: "e", text: "now about backoff", metadata: { lang: "py" } }]);
    expect(await idx.count()).toBe(5);
    expect((await idx.search("tomatoes", { k: 5 })).length).toBe(0);
    await idx.delete(["a", "missing"]);
    expect(await idx.deleteWhere(F.in("lang", ["js", "go"]))).toBe(2);
    expect((await idx.search("backoff", { k: 5 })).map((h) => h.id).sort()).toEqual(["d", "e"]);
    await expect(createPgLexicalIndex({ pool, table: "x; drop", config: "english" })).rejects.toBeInstanceOf(
      ValidationError,
    );
    await expect(createPgLexicalIndex({ pool, table: table(), config: "english'" })).rejects.toBeInstanceOf(
      ValidationError,
    );
  });
});

describe("createRetriever on PostgreSQL: PgVectorStore + PgLexicalIndex, no index in process", () => {
  it("hybrid retrieval, all-or-nothing re-add and delete reach both tables", async () => {
    const embedder = await loadMiniLM();
    const store = await createPgVectorStore({ pool, table: table(), dimensions: embedder.dimensions });
    const lexical: LexicalIndex = await createPgLexicalIndex({ pool, table: table() });
    const retriever = createRetriever({ embedder, store, lexical, splitter: smallSplitter(embedder) });
    expect(retriever.lexical).toBe(lexical);
    await retriever.add([
      OLD_EIFFEL,
      { id: "garden", text: "Tomatoes need sun and water.", metadata: { topic: "garden" } },
    ]);
    const lexicalCount = () => (lexical as PgLexicalIndex).count();
    expect(await store.count()).toBe(15);
    expect(await lexicalCount()).toBe(15);
    const { documents, timings } = await retriever.retrieve("how tall is the tower", { k: 3 });
    expect(documents[0]!.text).toContain("330 metres");
    expect(timings.lexical).toBeGreaterThanOrEqual(0);
    const lexicalOnly = await retriever.retrieve("paint tonnes", { k: 2, mode: "lexical" });
    expect(lexicalOnly.documents[0]!.text).toContain("sixty tonnes of paint");
    const filtered = await retriever.retrieve("tomatoes", {
      k: 5,
      filter: F.eq("topic", "travel"),
      mode: "lexical",
    });
    expect(filtered.documents).toEqual([]);

    await retriever.add([NEW_EIFFEL]);
    const newChunks = smallSplitter(embedder).splitText(NEW_EIFFEL.text).length;
    expect(await store.count()).toBe(newChunks + 1);
    expect(await lexicalCount()).toBe(newChunks + 1);
    const after = await retriever.retrieve("Olympic Games renovation", { k: 1, mode: "lexical" });
    expect(after.documents[0]!.metadata.parentVersion).toBe(
      (await store.get([after.documents[0]!.id]))[0]!.metadata.parentVersion,
    );
    expect((await retriever.retrieve("sixty tonnes of paint", { k: 5, mode: "lexical" })).documents).toEqual(
      [],
    );

    await retriever.delete(["eiffel"]);
    expect(await store.count()).toBe(1);
    expect(await lexicalCount()).toBe(1);
  });

  it("a BM25Index and any other LexicalIndex are told apart from BM25 options; fingerprints differ", async () => {
    const embedder = await loadMiniLM();
    const store = new InMemoryVectorStore({ dimensions: embedder.dimensions });
    const pgIndex = await createPgLexicalIndex({ pool, table: table() });
    const a = createRetriever({ embedder, store, lexical: pgIndex });
    const b = createRetriever({ embedder, store, lexical: { k1: 1.2 } });
    expect(a.lexical).toBe(pgIndex);
    expect(b.lexical).toBeInstanceOf(BM25Index);
    expect(b.lexical!.k1).toBe(1.2);
    expect(a.fingerprint).not.toBe(b.fingerprint);
    const other = await createPgLexicalIndex({ pool, table: table() });
    expect(createRetriever({ embedder, store, lexical: other }).fingerprint).not.toBe(a.fingerprint);
  });
});
