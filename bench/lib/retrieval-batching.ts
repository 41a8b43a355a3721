import {
  type BatchQueryEmbedder,
  createRetriever,
  type LexicalIndex,
  type VectorStore,
  withMicroBatching,
} from "@ragloom/core";
import { meanMetric, ndcgAt, percentile, type Qrels, type Run } from "./metrics.js";
import type { SciFactQuery } from "./scifact.js";

/** Concurrent callers of the micro-batching rows. */
export const CALLERS = [1, 8, 64] as const;
const UNBATCHED = "hybrid, live embedder (no batching)";
const BATCHED = "hybrid, withMicroBatching (batchWindowMs 2, maxBatch 16: the defaults)";
const ROUNDS = 4;

/**
 * Hybrid retrieval (`createRetriever`, default fusion, k = 10) under 1, 8 and 64 concurrent
 * callers, each awaiting one `retrieve` at a time, with the live `embedder` as is and wrapped in
 * `withMicroBatching` (default options). Every configuration answers every query once; the
 * queries are split into {@link ROUNDS} rounds and each round runs every (callers, variant) pair in
 * turn, so that machine load hits them alike (as `bench/embedding.ts` does for embedding alone).
 *
 * Row columns: queries/s (queries over wall time), caller-side p50/p99 of `retrieve` in ms,
 * process CPU ms per query (all threads, onnxruntime's included), mean queries per forward pass
 * of the embedder, and nDCG@10 (batching changes vectors only by float rounding).
 * @returns the rows and, per caller count, the batched / unbatched ratios.
 */
export async function microBatchingRows(
  embedder: BatchQueryEmbedder,
  store: VectorStore,
  lexical: LexicalIndex,
  queries: SciFactQuery[],
  qrels: Qrels,
) {
  // counts forward passes: embedQuery (one text) and embedQueries (a batch) calls
  const passes = { calls: 0, texts: 0 };
  const counted = new Proxy(embedder, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown;
      if (prop === "embedQuery" || prop === "embedQueries")
        return (input: string | string[], o?: { signal?: AbortSignal }) => {
          passes.calls++;
          passes.texts += Array.isArray(input) ? input.length : 1;
          return (value as (i: typeof input, o?: object) => Promise<unknown>).call(target, input, o);
        };
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  const variants = [
    [UNBATCHED, createRetriever({ embedder: counted, store, lexical, splitter: false })],
    [BATCHED, createRetriever({ embedder: withMicroBatching(counted), store, lexical, splitter: false })],
  ] as const;
  for (const [, r] of variants) for (const q of queries.slice(0, 8)) await r.retrieve(q.text, { k: 10 });
  const perRound = Math.ceil(queries.length / ROUNDS);
  type Acc = { lat: number[]; wall: number; cpu: number; n: number; run: Run; calls: number; texts: number };
  const acc = new Map<string, Acc>();
  for (let round = 0; round < ROUNDS; round++)
    for (const callers of CALLERS)
      for (const [name, retriever] of variants) {
        const key = `${callers}|${name}`;
        const a: Acc = acc.get(key) ?? { lat: [], wall: 0, cpu: 0, n: 0, run: new Map(), calls: 0, texts: 0 };
        acc.set(key, a);
        const start = round * perRound;
        const end = Math.min(queries.length, start + perRound);
        let next = start;
        const p0 = { ...passes };
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        await Promise.all(
          Array.from({ length: callers }, async () => {
            while (next < end) {
              const q = queries[next++]!;
              const t = performance.now();
              const r = await retriever.retrieve(q.text, { k: 10 });
              a.lat.push(performance.now() - t);
              a.run.set(
                q.id,
                r.documents.map((d) => d.id),
              );
            }
          }),
        );
        a.wall += performance.now() - t0;
        const cpu = process.cpuUsage(c0);
        a.cpu += (cpu.user + cpu.system) / 1000;
        a.n += end - start;
        a.calls += passes.calls - p0.calls;
        a.texts += passes.texts - p0.texts;
      }
  const rows = [...acc].map(([key, a]) => {
    const [callers, variant] = key.split("|");
    return {
      callers: Number(callers),
      variant: variant!,
      queries: a.n,
      "queries/s": (a.n / a.wall) * 1000,
      "p50 ms": percentile(a.lat, 50),
      "p99 ms": percentile(a.lat, 99),
      "CPU ms/query": a.cpu / a.n,
      "queries per forward pass": a.texts / a.calls,
      "nDCG@10": meanMetric(a.run, qrels, (r, rels) => ndcgAt(r, rels, 10)),
    };
  });
  const row = (c: number, v: string) => rows.find((r) => r.callers === c && r.variant === v)!;
  const ratios = Object.fromEntries(
    CALLERS.map((c) => [
      `${c} callers`,
      {
        "queries/s, micro-batched / unbatched": row(c, BATCHED)["queries/s"] / row(c, UNBATCHED)["queries/s"],
        "p50, micro-batched / unbatched": row(c, BATCHED)["p50 ms"] / row(c, UNBATCHED)["p50 ms"],
        "p99, micro-batched / unbatched": row(c, BATCHED)["p99 ms"] / row(c, UNBATCHED)["p99 ms"],
      },
    ]),
  );
  return { rows, ratios };
}
