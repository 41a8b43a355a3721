import { BM25Index, type Document, type Retriever } from "@ragloom/core";

/** A small corpus about HTTP retries and caching (facts the tests never check the model against). */
export const DOCS: Document[] = [
  {
    id: "retry",
    text: "Retry a failed request with exponential backoff. The delay doubles after each attempt. Add random jitter so that clients do not retry at the same time.",
    metadata: { title: "Retries", package: "p-retry" },
  },
  {
    id: "breaker",
    text: "A circuit breaker opens after repeated failures. While it is open, calls fail fast. After a reset timeout one trial call is let through.",
    metadata: { title: "Circuit breakers", package: "opossum" },
  },
  {
    id: "cache",
    text: "A cache keeps answers for a time to live. Stale entries can be served while a refresh runs in the background.",
    metadata: { title: "Caching", package: "lru-cache" },
  },
];

/** A BM25 retriever over `docs` (BM25 scores, higher is better). */
export function bm25Retriever(docs: Document[] = DOCS): Retriever & { calls: number } {
  const index = new BM25Index();
  index.add(docs);
  const self = {
    calls: 0,
    async retrieve(query: string, options: { k?: number } = {}) {
      self.calls++;
      const t0 = performance.now();
      const documents = index.search(query, { k: options.k ?? 4 });
      return { documents, timings: { lexical: performance.now() - t0 } };
    },
  };
  return self;
}
