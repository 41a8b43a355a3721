import { EnsembleRetriever } from "@langchain/classic/retrievers/ensemble";
import { MemoryVectorStore } from "@langchain/classic/vectorstores/memory";
import { BM25Retriever } from "@langchain/community/retrievers/bm25";
import { Document as LCDocument } from "@langchain/core/documents";
import { Embeddings } from "@langchain/core/embeddings";
import type { Document } from "@ragloom/core";
import type { Variant } from "./retrieval-variant.js";
import type { SciFactQuery } from "./scifact.js";

/**
 * LangChain.js variants on the same vectors: `MemoryVectorStore` (every query), `BM25Retriever`
 * and `EnsembleRetriever` (BM25 + dense, weights 0.5/0.5) on `lexicalSample` (their BM25 scores
 * the whole corpus per query, minutes for all queries). Query vectors come from `queryVector`
 * (query text → vector), so timings exclude embedding.
 */
export async function langchainVariants(
  corpus: Document[],
  docVectors: Float32Array[],
  queryVector: Map<string, Float32Array>,
  lexicalSample: SciFactQuery[],
): Promise<Variant[]> {
  class PrecomputedEmbeddings extends Embeddings {
    constructor() {
      super({});
    }
    async embedQuery(text: string) {
      return Array.from(queryVector.get(text)!);
    }
    async embedDocuments(): Promise<number[][]> {
      throw new Error("not used");
    }
  }
  const lcDocs = corpus.map((d) => new LCDocument({ pageContent: d.text, metadata: { id: d.id } }));
  const lcStore = new MemoryVectorStore(new PrecomputedEmbeddings());
  await lcStore.addVectors(
    docVectors.map((v) => Array.from(v)),
    lcDocs,
  );
  const ids = (docs: LCDocument[]) => docs.map((d) => d.metadata.id as string);
  const lcBm25 = (k: number) => BM25Retriever.fromDocuments(lcDocs, { k });
  const bm25ByK = new Map<number, BM25Retriever>();
  const ensembles = new Map<number, EnsembleRetriever>();
  return [
    {
      name: "LangChain MemoryVectorStore",
      search: async (q, k) =>
        (await lcStore.similaritySearchVectorWithScore(Array.from(queryVector.get(q)!), k)).map(
          ([d]) => d.metadata.id as string,
        ),
    },
    {
      name: "LangChain BM25Retriever",
      queries: lexicalSample,
      search: async (q, k) => {
        if (!bm25ByK.has(k)) bm25ByK.set(k, lcBm25(k));
        return ids(await bm25ByK.get(k)!.invoke(q));
      },
    },
    {
      name: "LangChain EnsembleRetriever (BM25+dense)",
      queries: lexicalSample,
      search: async (q, k) => {
        if (!ensembles.has(k)) {
          ensembles.set(
            k,
            new EnsembleRetriever({
              retrievers: [lcBm25(k), lcStore.asRetriever({ k })],
              weights: [0.5, 0.5],
            }),
          );
        }
        return ids((await ensembles.get(k)!.invoke(q)).slice(0, k));
      },
    },
  ];
}
