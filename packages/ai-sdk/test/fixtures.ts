import { createRetriever, type Document, InMemoryVectorStore } from "@ragloom/core";
import { createTransformersEmbedder } from "@ragloom/core/transformers";
import { requireModelDir } from "../../../test/services.js";

/** A small corpus about HTTP resilience (the tests never check the model's facts against it). */
export const DOCS: Document[] = [
  {
    id: "retry",
    text: "Retry a failed request with exponential backoff. The delay doubles after each attempt. Add random jitter so that clients do not retry at the same time.",
    metadata: { title: "Retries", package: "p-retry", year: 2021, source: "docs/retries.md" },
  },
  {
    id: "breaker",
    text: "A circuit breaker opens after repeated failures. While it is open, calls fail fast. After a reset timeout one trial call is let through.",
    metadata: { title: "Circuit breakers", package: "opossum", year: 2019, tags: ["resilience", "breaker"] },
  },
  {
    id: "cache",
    text: "A cache keeps answers for a time to live. Stale entries can be served while a refresh runs in the background.",
    metadata: { title: "Caching", package: "lru-cache", year: 2023 },
  },
];

/** A dense retriever over {@link DOCS} with the real all-MiniLM-L6-v2 (int8, offline); cosine scores. */
export async function realRetriever() {
  const embedder = await createTransformersEmbedder({
    localModelPath: requireModelDir(),
    offline: true,
    dtype: "q8",
  });
  const store = new InMemoryVectorStore({ dimensions: embedder.dimensions });
  const retriever = createRetriever({ embedder, store, splitter: false, k: 3 });
  await retriever.add(DOCS);
  return { retriever, embedder };
}
