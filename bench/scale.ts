/**
 * Scale: exact float search (`InMemoryVectorStore`), HNSW (`HnswVectorStore`, usearch) and
 * pgvector (`PgVectorStore` on PGlite over the wire protocol) side by side, on random and
 * SciFact-like 384-d vectors, then quality on the real SciFact vectors (dense: exact, HNSW,
 * pgvector; lexical: BM25 against PostgreSQL full-text search).
 *
 *   node --expose-gc --import tsx bench/scale.ts          # 100k and 1M, pgvector at 20k
 *   node --expose-gc --import tsx bench/scale.ts --sizes 10000,100000,1000000 --kinds-1m scifact --pg-max 10000
 *
 * Vectors: "random" are i.i.d. Gaussian, normalised, queries drawn the same way (the hardest case
 * for a graph index). "scifact" are SciFact-like: each is normalise(0.7·a + 0.3·b + 0.02·g) for two
 * random real MiniLM document vectors a, b of SciFact and Gaussian noise g, so the set has the
 * anisotropy and topic clusters of real embeddings; its queries are the real SciFact query vectors.
 * Recall@10 is against the exact store's top-10 on the same vectors. Latency is one query at a time
 * (k = 10), after 20 warm-up queries. Memory is the growth of the process's resident set while the
 * store is built, measured after full collections with --expose-gc (PGlite: the table and index
 * size reported by PostgreSQL).
 */
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { BM25Index, F, InMemoryVectorStore, type VectorRecord, type VectorStore } from "@ragloom/core";
import { createHnswVectorStore, HnswVectorStore } from "@ragloom/core/hnsw";
import { createPgLexicalIndex, createPgVectorStore, type PgPool } from "@ragloom/core/pgvector";
import { startPgliteServer } from "../packages/core/test/pglite-server.js";
import { loadSciFactVectors } from "./lib/embeddings.js";
import { meanMetric, ndcgAt, percentile, type Run, recallAt } from "./lib/metrics.js";
import { printTable, writeResults } from "./lib/report.js";

const { values: args } = parseArgs({
  options: {
    sizes: { type: "string", default: "100000,1000000" },
    kinds: { type: "string", default: "random,scifact" },
    queries: { type: "string", default: "200" },
    "pg-max": { type: "string", default: "20000" },
    ef: { type: "string", default: "64,128,192" },
    connectivity: { type: "string", default: "32" },
    "expansion-add": { type: "string", default: "256" },
    quantization: { type: "string", default: "i8" },
    "kinds-1m": { type: "string" },
    "skip-quality": { type: "boolean", default: false },
    "skip-scale": { type: "boolean", default: false },
    out: { type: "string", default: "scale" },
  },
  allowPositionals: true,
});
const sizes = args.sizes.split(",").map(Number);
const kinds = args.kinds.split(",");
/** Kinds run at sizes of a million and more (all by default). */
const kindsLarge = (args["kinds-1m"] ?? args.kinds).split(",");
const Q = Number(args.queries);
const pgMax = Number(args["pg-max"]);
const efs = args.ef.split(",").map(Number);
/** HNSW graph degree M and efConstruction of the built index. */
const M = Number(args.connectivity);
const efAdd = Number(args["expansion-add"]);
/** Scalar type of the graph's copy of the vectors (`HnswVectorStoreOptions.quantization`). */
const hnswQuantization = args.quantization as "f32" | "f16" | "i8";
const D = 384;
const load0 = loadavg();

let seed = 42;
const rand = () => {
  seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
  return seed / 2 ** 32;
};
const gauss = () => Math.sqrt(-2 * Math.log(rand() || 1e-12)) * Math.cos(2 * Math.PI * rand());
function normalise(v: Float32Array) {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  const inv = 1 / Math.sqrt(s);
  for (let i = 0; i < v.length; i++) v[i]! *= inv;
  return v;
}

// real SciFact vectors (cached by bench/retrieval.ts; embedded here once otherwise)
const { corpus, qrels, claims: sciQueries, docVectors, queryVectors } = await loadSciFactVectors();

function generate(kind: string, n: number): Float32Array[] {
  return Array.from({ length: n }, () => {
    const v = new Float32Array(D);
    if (kind === "random") for (let i = 0; i < D; i++) v[i] = gauss();
    else {
      const a = docVectors[Math.floor(rand() * docVectors.length)]!;
      const b = docVectors[Math.floor(rand() * docVectors.length)]!;
      for (let i = 0; i < D; i++) v[i] = 0.7 * a[i]! + 0.3 * b[i]! + 0.02 * gauss();
    }
    return normalise(v);
  });
}
const queriesOf = (kind: string) =>
  kind === "random"
    ? generate("random", Q)
    : queryVectors.slice(0, Q).map((v) => normalise(Float32Array.from(v)));

/** Resident set in MiB, after a full collection when run with --expose-gc. */
const rss = () => {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().rss / 2 ** 20;
};
const p = (xs: number[], q: number) => percentile(xs, q);
const FILTER = F.eq("bucket", 3); // 10% of the records

async function insert(store: VectorStore, vectors: Float32Array[], batch: number): Promise<number> {
  const t = performance.now();
  for (let i = 0; i < vectors.length; i += batch) {
    const records: VectorRecord[] = [];
    for (let j = i; j < Math.min(vectors.length, i + batch); j++)
      records.push({ id: String(j), text: "", metadata: { bucket: j % 10 }, vector: vectors[j]! });
    await store.upsert(records);
  }
  return (performance.now() - t) / 1000;
}

/** Latencies (ms) and result ids of each query, after a warm-up. */
async function runQueries(store: VectorStore, queries: Float32Array[], filter = false) {
  for (const q of queries.slice(0, 20)) await store.query(q, { k: 10, filter: filter ? FILTER : null });
  const ms: number[] = [];
  const ids: string[][] = [];
  for (const q of queries) {
    const t = performance.now();
    const hits = await store.query(q, { k: 10, filter: filter ? FILTER : null });
    ms.push(performance.now() - t);
    ids.push(hits.map((h) => h.id));
  }
  return { ms, ids };
}
const recall = (got: string[][], truth: string[][]) => {
  let hit = 0;
  got.forEach((g, i) => {
    const t = new Set(truth[i]);
    for (const id of g) if (t.has(id)) hit++;
  });
  return hit / (truth.length * 10);
};

const rows: Array<Record<string, string | number>> = [];
const quality: Array<Record<string, string | number>> = [];
/** Writes what has been measured so far (a long run that is stopped keeps its rows). */
const save = () =>
  writeResults(args.out, {
    machine: { loadAverageAtStart: load0, loadAverageNow: loadavg(), node: process.version },
    settings: {
      sizes,
      kinds,
      kindsLarge,
      queries: Q,
      pgMax,
      efs,
      dimensions: D,
      hnsw: { connectivity: M, expansionAdd: efAdd, quantization: hnswQuantization },
    },
    scale: rows,
    quality,
  });
const dir = mkdtempSync(join(tmpdir(), "ragloom-scale-"));
const pg = await startPgliteServer();
const pool = pg.pool() as unknown as PgPool;
let tables = 0;

for (const kind of args["skip-scale"] ? [] : kinds) {
  const queries = queriesOf(kind);
  for (const n of sizes) {
    if (n >= 1e6 && !kindsLarge.includes(kind)) continue;
    const vectors = generate(kind, n);
    const label = `${kind} ${n >= 1e6 ? `${n / 1e6}M` : `${n / 1e3}k`}`;
    console.log(`\n${label}: exact`);
    let m0 = rss();
    let exact: InMemoryVectorStore | null = new InMemoryVectorStore({ dimensions: D, initialCapacity: n });
    const exactInsert = await insert(exact, vectors, 10_000);
    const exactMem = rss() - m0;
    const truth = await runQueries(exact, queries);
    const truthFiltered = await runQueries(exact, queries, true);
    const file = join(dir, "exact.bin");
    let t = performance.now();
    await exact.save(file);
    const exactSave = (performance.now() - t) / 1000;
    const exactFile = statSync(file).size / 2 ** 20;
    exact = null;
    t = performance.now();
    await InMemoryVectorStore.load(file);
    const exactLoad = (performance.now() - t) / 1000;
    rmSync(file);
    const base = { data: label, n };
    const exactP50 = p(truth.ms, 50);
    rows.push({
      ...base,
      store: "exact (in-memory)",
      "insert s": exactInsert,
      "p50 ms": exactP50,
      "p95 ms": p(truth.ms, 95),
      "recall@10": 1,
      "filtered p50 ms": p(truthFiltered.ms, 50),
      "filtered recall@10": 1,
      "memory MiB": Math.round(exactMem),
      "save s": exactSave,
      "load s": exactLoad,
      "file MiB": Math.round(exactFile),
      "p50 vs exact": 1,
    });
    console.log(rows.at(-1));
    save();

    console.log(`${label}: HNSW build`);
    m0 = rss();
    let hnsw: HnswVectorStore | null = await createHnswVectorStore({
      dimensions: D,
      connectivity: M,
      expansionAdd: efAdd,
      expansionSearch: efs[0]!,
      quantization: hnswQuantization,
    });
    const hnswInsert = await insert(hnsw, vectors, 10_000);
    const hnswMem = rss() - m0;
    const hfile = join(dir, "store.hnsw");
    t = performance.now();
    await hnsw.save(hfile);
    const hnswSave = (performance.now() - t) / 1000;
    const hnswFile = statSync(hfile).size / 2 ** 20;
    hnsw = null;
    for (const ef of efs) {
      t = performance.now();
      const loaded = await HnswVectorStore.load(hfile, { expansionSearch: ef });
      const hnswLoad = (performance.now() - t) / 1000;
      const r = await runQueries(loaded, queries);
      const rf = await runQueries(loaded, queries, true);
      rows.push({
        ...base,
        store: `HNSW M=${M} ef=${ef}${hnswQuantization === "f32" ? "" : ` ${hnswQuantization}`}`,
        "insert s": hnswInsert,
        "p50 ms": p(r.ms, 50),
        "p95 ms": p(r.ms, 95),
        "recall@10": recall(r.ids, truth.ids),
        "filtered p50 ms": p(rf.ms, 50),
        "filtered recall@10": recall(rf.ids, truthFiltered.ids),
        "memory MiB": Math.round(hnswMem),
        "save s": hnswSave,
        "load s": hnswLoad,
        "file MiB": Math.round(hnswFile),
        "p50 vs exact": p(r.ms, 50) / exactP50,
      });
      console.log(rows.at(-1));
      save();
    }
    rmSync(hfile);

    if (n <= pgMax) {
      console.log(`${label}: pgvector on PGlite`);
      const store = await createPgVectorStore({ pool, table: `scale_${tables++}`, dimensions: D });
      const pgInsert = await insert(store, vectors, 1000);
      const size = await pool.query(`SELECT pg_total_relation_size('scale_${tables - 1}') AS b`);
      const r = await runQueries(store, queries);
      const rf = await runQueries(store, queries, true);
      rows.push({
        ...base,
        store: "pgvector HNSW (PGlite)",
        "insert s": pgInsert,
        "p50 ms": p(r.ms, 50),
        "p95 ms": p(r.ms, 95),
        "recall@10": recall(r.ids, truth.ids),
        "filtered p50 ms": p(rf.ms, 50),
        "filtered recall@10": recall(rf.ids, truthFiltered.ids),
        "memory MiB": Math.round(Number(size.rows[0]!.b) / 2 ** 20),
        "save s": "",
        "load s": "",
        "file MiB": "",
        "p50 vs exact": p(r.ms, 50) / exactP50,
      });
      console.log(rows.at(-1));
      save();
      await pool.query(`DROP TABLE scale_${tables - 1}`);
    }
  }
}

// quality on the real SciFact vectors and texts
if (!args["skip-quality"]) {
  const records: VectorRecord[] = corpus.map((d, i) => ({ ...d, vector: docVectors[i]! }));
  const evaluate = async (name: string, search: (i: number) => Promise<string[]>) => {
    const run: Run = new Map();
    const ms: number[] = [];
    for (let i = 0; i < sciQueries.length; i++) {
      const t = performance.now();
      run.set(sciQueries[i]!.id, await search(i));
      ms.push(performance.now() - t);
    }
    quality.push({
      retrieval: name,
      "nDCG@10": meanMetric(run, qrels, (r, rel) => ndcgAt(r, rel, 10)),
      "Recall@100": meanMetric(run, qrels, (r, rel) => recallAt(r, rel, 100)),
      "p50 ms (k=100)": p(ms, 50),
    });
    console.log(quality.at(-1));
    save();
  };
  const dense = async (name: string, store: VectorStore) =>
    evaluate(name, async (i) => (await store.query(queryVectors[i]!, { k: 100 })).map((h) => h.id));
  const exact = new InMemoryVectorStore({ dimensions: D });
  await exact.upsert(records);
  await dense("dense exact (in-memory)", exact);
  for (const ef of efs) {
    const h = await createHnswVectorStore({
      dimensions: D,
      connectivity: M,
      expansionAdd: efAdd,
      quantization: hnswQuantization,
      expansionSearch: ef,
    });
    await h.upsert(records);
    await dense(`dense HNSW ef=${ef}`, h);
  }
  const pgStore = await createPgVectorStore({ pool, table: "scifact_dense", dimensions: D });
  await pgStore.upsert(records);
  await dense("dense pgvector HNSW (PGlite)", pgStore);
  const bm25 = new BM25Index();
  bm25.add(corpus);
  await evaluate("lexical BM25Index (k1 0.9, b 0.4)", async (i) =>
    bm25.search(sciQueries[i]!.text, { k: 100 }).map((h) => h.id),
  );
  for (const normalization of [0, 1, 2]) {
    const fts = await createPgLexicalIndex({ pool, table: `scifact_fts_${normalization}`, normalization });
    await fts.add(corpus);
    await evaluate(`lexical PostgreSQL FTS (ts_rank_cd, norm ${normalization})`, async (i) =>
      (await fts.search(sciQueries[i]!.text, { k: 100 })).map((h) => h.id),
    );
  }
}

await pg.stop();
rmSync(dir, { recursive: true, force: true });
console.log("\nScale (k = 10, one query at a time)");
printTable(rows);
if (quality.length) {
  console.log(`\nSciFact train (${corpus.length} docs, ${sciQueries.length} queries)`);
  printTable(quality);
}
console.log(`\nwritten to ${save()}`);
