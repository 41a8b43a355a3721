/** Helpers of bench/exact-scan.ts: data, timing, concurrency and the 5M run. */
import { createHash } from "node:crypto";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { type Embedder, InMemoryVectorStore, type Metadata, type VectorRecord } from "@ragloom/core";
import type { RowStorage } from "../../packages/core/src/math/row-storage.js";
import { prepareQuery, scanRows, selectTop } from "../../packages/core/src/math/scan.js";
import { timed } from "./report.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

/** Lets go of a store's memories (a full GC, so the next big allocation finds room). */
export function dropStore(_store: InMemoryVectorStore | undefined) {
  gc();
}

/** Deterministic pseudo-random numbers in [-0.5, 0.5). */
function lcg(seed: number) {
  let s = seed;
  return () => {
    s = (s * 16807) % 2147483647;
    return s / 2147483647 - 0.5;
  };
}

/** `n` random records in batches (vectors not normalised: the store does it). */
export function* randomRecords(
  n: number,
  d: number,
  batch: number,
  seed: number,
  metadata: (i: number) => Metadata = (i) => ({ m: i % 10 }),
): Generator<VectorRecord[]> {
  const rand = lcg(seed);
  for (let start = 0; start < n; start += batch) {
    const out: VectorRecord[] = [];
    for (let i = start; i < Math.min(n, start + batch); i++) {
      const v = new Float32Array(d);
      for (let j = 0; j < d; j++) v[j] = rand();
      out.push({ id: `r${i}`, text: "", metadata: metadata(i), vector: v });
    }
    yield out;
  }
}

export function unitQueries(n: number, d: number, seed: number): Float32Array[] {
  const rand = lcg(seed);
  return Array.from({ length: n }, () => Float32Array.from({ length: d }, rand));
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)]!;
};

/** Per-query wall-clock p50/p95 and CPU p50 in ms (after one warm-up pass). */
export function latency(queries: Float32Array[], run: (q: Float32Array) => unknown) {
  for (const q of queries.slice(0, Math.min(queries.length, 20))) run(q);
  const rounds = Math.max(1, Math.ceil(400 / queries.length));
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let r = 0; r < rounds; r++) {
    for (const q of queries) {
      const c = process.cpuUsage();
      const t = performance.now();
      run(q);
      wall.push(performance.now() - t);
      const u = process.cpuUsage(c);
      cpu.push((u.user + u.system) / 1000);
    }
  }
  return { p50: pct(wall, 0.5), p95: pct(wall, 0.95), cpu: pct(cpu, 0.5) };
}

/** The private rows of a store (for the measurements that need the kernels directly). */
export type BenchStore = { rows: RowStorage; size: number };

/** Exact float32 top-k of a store through the kernels, bypassing the int8 path. */
export function exactTop(store: BenchStore, q: Float32Array, k: number) {
  const { rows, size: n } = store;
  const qn = normalised(q);
  prepareQuery(rows, 0, qn, false);
  scanRows(rows, 0, n);
  return selectTop(rows, 0, n, k, null).sorted();
}

function normalised(q: Float32Array) {
  let s = 0;
  for (const x of q) s += x * x;
  return q.map((x) => x / Math.sqrt(s));
}

/**
 * For each query, the number of int8 candidates (best approximate scores first) needed to hold
 * the exact top-k: the depth, in int8 order, of the deepest exact top-k row. Single segment.
 */
export function candidatesNeeded(store: BenchStore, queries: Float32Array[], k: number): number[] {
  const { rows, size: n } = store;
  const order = (a: Float32Array) =>
    Array.from({ length: n }, (_, i) => i).sort((x, y) => a[y]! - a[x]! || x - y);
  const need = queries.map((q) => {
    const qq = prepareQuery(rows, 0, normalised(q), true)!;
    scanRows(rows, 0, n, qq.scale);
    const approx = rows.segments[0]!.scores(0, n).slice();
    scanRows(rows, 0, n);
    const exact = rows.segments[0]!.scores(0, n).slice();
    const rank = new Map(order(approx).map((r, i) => [r, i]));
    return (
      Math.max(
        ...order(exact)
          .slice(0, k)
          .map((r) => rank.get(r)!),
      ) + 1
    );
  });
  return need.sort((a, b) => a - b);
}

/** A deterministic embedder (SHA-256 of the text spread over `d` values), for ingest timings. */
export function hashEmbedder(d: number): Embedder {
  const embed = (text: string) => {
    const v = new Float32Array(d);
    const h = createHash("sha256").update(text).digest();
    for (let i = 0; i < d; i++) v[i] = h[i % 32]! - 127.5 + i;
    return v;
  };
  return {
    modelId: "bench-hash",
    dimensions: d,
    normalized: false,
    embedDocuments: async (texts) => texts.map(embed),
    embedQuery: async (text) => embed(text),
  };
}

/**
 * `callers` concurrent callers, each awaiting one search after another, `total` searches in
 * all: caller-side latency, throughput and the event loop's delay meanwhile.
 */
export async function runLoad(
  search: (q: Float32Array) => Promise<unknown>,
  queries: Float32Array[],
  callers: number,
  total: number,
) {
  const delay = monitorEventLoopDelay({ resolution: 5 });
  const lat: number[] = [];
  let issued = 0;
  delay.enable();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: callers }, async () => {
      while (issued < total) {
        const q = queries[issued++ % queries.length]!;
        const t = performance.now();
        await search(q);
        lat.push(performance.now() - t);
      }
    }),
  );
  const elapsed = performance.now() - t0;
  // a loop blocked to the end has its delay recorded only once a timer gets to run
  await new Promise((resolve) => setTimeout(resolve, 20));
  delay.disable();
  return {
    "caller p50 ms": pct(lat, 0.5),
    "caller p99 ms": pct(lat, 0.99),
    "queries/s": (1000 * total) / elapsed,
    "event-loop delay p50 ms": delay.percentile(50) / 1e6,
    "event-loop delay p99 ms": delay.percentile(99) / 1e6,
    "event-loop delay max ms": delay.max / 1e6,
  };
}

/** 5M random vectors: insert, int8 and float32 latency, agreement, memory, save/load. */
export async function fiveMillion(n: number, d: number, file: string) {
  let store: InMemoryVectorStore | undefined = new InMemoryVectorStore({ dimensions: d, initialCapacity: n });
  let insertMs = 0;
  for (const batch of randomRecords(n, d, 50_000, 11)) {
    const [, ms] = await timed(() => store!.upsert(batch));
    insertMs += ms;
  }
  const bench = store as unknown as BenchStore;
  const queries = unitQueries(10, d, 12);
  let identical = 0;
  for (const q of queries) {
    const a = store.querySync(q, { k: 10 }).map((h) => h.id);
    const b = exactTop(bench, q, 10).map((h) => store!.listIds()[h.index]);
    if (a.join() === b.join()) identical++;
  }
  const int8 = latency(queries, (q) => store!.querySync(q, { k: 10 }));
  const float = latency(queries.slice(0, 5), (q) => exactTop(bench, q, 10));
  const memoryBytes = store.byteLength;
  const segments = bench.rows.segments.length;
  const [, saveMs] = await timed(() => store!.save(file));
  const probe = queries[0]!;
  const before = store.querySync(probe, { k: 10 });
  store = undefined;
  dropStore(undefined);
  const [loaded, loadMs] = await timed(() => InMemoryVectorStore.load(file));
  const after = loaded.querySync(probe, { k: 10 });
  const row = {
    records: n,
    segments,
    insertMs,
    memoryBytes,
    "int8 p50 ms": int8.p50,
    "int8 cpu ms": int8.cpu,
    "float p50 ms": float.p50,
    "float cpu ms": float.cpu,
    "top-10 identical %": (100 * identical) / queries.length,
    saveMs,
    loadMs,
    "same results after load": JSON.stringify(before) === JSON.stringify(after),
  };
  console.log("\n5M random × 384 (int8)");
  console.log(row);
  dropStore(loaded);
  return row;
}
