// biome-ignore-all lint/correctness/noUnusedVariables: the README block this prelude is prepended to uses its names
// Prelude of README blocks that continue the quick start of packages/answer: its BM25 `retriever`.
import { BM25Index as PreludeBM25Index, type Retriever as PreludeRetriever } from "@ragloom/core";

const preludeIndex = new PreludeBM25Index();
preludeIndex.add([
  {
    id: "retry",
    text: "Retry a failed request with exponential backoff: the delay doubles after each attempt.",
    metadata: { title: "Retries" },
  },
  {
    id: "breaker",
    text: "A circuit breaker opens after repeated failures; while open, calls fail fast.",
    metadata: { title: "Circuit breakers" },
  },
]);
const retriever: PreludeRetriever = {
  retrieve: async (query, options) => ({
    documents: preludeIndex.search(query, { k: options?.k ?? 4 }),
    timings: {},
  }),
};
