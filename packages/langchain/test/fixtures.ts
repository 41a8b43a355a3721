import type { Embedder } from "@ragloom/core";
import { createRetriever, type Document, type HybridRetriever, InMemoryVectorStore } from "@ragloom/core";
import { createTransformersEmbedder } from "@ragloom/core/transformers";
import { requireModelDir } from "../../../test/services.js";

/** A small corpus with filterable metadata. */
export const CORPUS: Document[] = [
  {
    id: "retry",
    text: "Retry a failed HTTP request with exponential backoff and jitter, up to five attempts.",
    metadata: { lang: "en", topic: "http", year: 2023, tags: ["network", "resilience"] },
  },
  {
    id: "timeout",
    text: "Set a timeout on every outgoing request so that a slow server cannot block the client forever.",
    metadata: { lang: "en", topic: "http", year: 2024, tags: ["network"] },
  },
  {
    id: "cache",
    text: "Cache embeddings in Redis keyed by model id and text hash to avoid recomputing them.",
    metadata: { lang: "en", topic: "caching", year: 2024, tags: ["redis", "performance"] },
  },
  {
    id: "chunking",
    text: "Split long documents into overlapping chunks of about two hundred tokens before embedding.",
    metadata: { lang: "en", topic: "ingest", year: 2022, tags: ["splitting"] },
  },
  {
    id: "wiederholen",
    text: "Wiederhole eine fehlgeschlagene Anfrage mit exponentiellem Backoff.",
    metadata: { lang: "de", topic: "http", year: 2024, tags: ["network"] },
  },
  {
    id: "bm25",
    text: "BM25 ranks documents by term frequency, inverse document frequency and document length.",
    metadata: { lang: "en", topic: "search", year: 2021, tags: ["lexical"] },
  },
];

let embedder: Promise<Embedder> | undefined;

/** The local all-MiniLM-L6-v2 embedder (one per test file). */
export function miniLM(): Promise<Embedder> {
  embedder ??= createTransformersEmbedder({ localModelPath: requireModelDir(), offline: true, threads: 1 });
  return embedder;
}

/** A dense retriever over {@link CORPUS} in an in-memory vector store, documents indexed whole. */
export async function corpusRetriever(options: { k?: number } = {}): Promise<HybridRetriever> {
  const e = await miniLM();
  const store = new InMemoryVectorStore({ dimensions: e.dimensions });
  const retriever = createRetriever({ embedder: e, store, splitter: false, k: options.k ?? 4 });
  await retriever.add(CORPUS);
  return retriever;
}
