// biome-ignore-all lint/correctness/noUnusedVariables: the README block this prelude is prepended to uses its names
// Prelude of README blocks of packages/answer that use `retriever` and `model` from earlier blocks:
// the quick start's BM25 retriever and an OpenAI-compatible server (SmolLM2-135M behind llama.cpp).
import {
  BM25Index as PreludeBM25Index,
  type Retriever as PreludeRetriever,
  createOpenAICompatibleModel as preludeModel,
} from "@ragloom/core";

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
const model = preludeModel({ baseURL: "http://127.0.0.1:11434/v1", model: "smollm2-135m" });
