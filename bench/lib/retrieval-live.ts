import { createRetriever, type Embedder, type LexicalIndex, type VectorStore } from "@ragloom/core";
import { meanMetric, ndcgAt, percentile, type Qrels, type Run, recallAt } from "./metrics.js";
import { identicalLists } from "./retrieval-variant.js";
import type { SciFactQuery } from "./scifact.js";

export const LIVE_DENSE = "ragloom dense, live query embedding";
export const LIVE_HYBRID = "ragloom hybrid (default), live query embedding";
const WARM_UP = 8;

/**
 * End-to-end retrieval as a service runs it: `createRetriever(...).retrieve(q, { k })` with the
 * live `embedder` (one query per call, nothing precomputed), dense (`store` only) and hybrid
 * (`store` + `lexical`, default z-score fusion), at k = 10 and k = 100. Each query runs the four
 * configurations back to back, their order rotating per query, so that machine load hits them
 * alike.
 *
 * Row columns: nDCG@10 (of the returned list), Recall@100 (k = 100 only), p50/p95 of the whole
 * call and of its embedding step (`timings.embed`) in ms, and how many queries got the same
 * top-10 as the precomputed-vector row in `reference` (by variant: "dense", "hybrid").
 */
export async function liveRows(
  embedder: Embedder,
  store: VectorStore,
  lexical: LexicalIndex,
  queries: SciFactQuery[],
  qrels: Qrels,
  reference: Record<"dense" | "hybrid", Map<string, string[]> | undefined>,
): Promise<Array<Record<string, string | number>>> {
  const retrievers = {
    dense: createRetriever({ embedder, store, splitter: false }),
    hybrid: createRetriever({ embedder, store, lexical, splitter: false }),
  };
  const configs = (["dense", "hybrid"] as const).flatMap((mode) =>
    [10, 100].map((k) => ({ mode, k, run: new Map() as Run, ms: [] as number[], embedMs: [] as number[] })),
  );
  for (const q of queries.slice(0, WARM_UP))
    for (const c of configs) await retrievers[c.mode].retrieve(q.text, { k: c.k });
  for (const [i, q] of queries.entries()) {
    for (let j = 0; j < configs.length; j++) {
      const c = configs[(i + j) % configs.length]!;
      const t = performance.now();
      const r = await retrievers[c.mode].retrieve(q.text, { k: c.k });
      c.ms.push(performance.now() - t);
      c.embedMs.push(r.timings.embed ?? Number.NaN);
      c.run.set(
        q.id,
        r.documents.map((d) => d.id),
      );
    }
  }
  return configs.map((c) => {
    const ref = reference[c.mode];
    const tops = new Map([...c.run].map(([qid, ids]) => [qid, ids.slice(0, 10)]));
    return {
      variant: c.mode === "dense" ? LIVE_DENSE : LIVE_HYBRID,
      k: c.k,
      queries: c.run.size,
      "nDCG@10": meanMetric(c.run, qrels, (r, rels) => ndcgAt(r, rels, 10)),
      "Recall@100": c.k >= 100 ? meanMetric(c.run, qrels, (r, rels) => recallAt(r, rels, 100)) : "-",
      "p50 ms": percentile(c.ms, 50),
      "p95 ms": percentile(c.ms, 95),
      "embed p50 ms": percentile(c.embedMs, 50),
      "embed p95 ms": percentile(c.embedMs, 95),
      "top-10 same as precomputed-vector row": ref ? identicalLists(ref, tops).same : "-",
    };
  });
}
