/**
 * Fixtures of the createRetriever write-path tests: real multi-chunk documents, wrappers that
 * inject one fault into a real embedder or store, and readers of what a retriever shows.
 */
import { requireModelDir } from "../../../test/services.js";
import {
  type CallOptions,
  type Document,
  type Embedder,
  F,
  type HybridRetriever,
  RecursiveTextSplitter,
  ServiceError,
  type VectorRecord,
  type VectorStore,
} from "../src/index.js";
import { createTransformersEmbedder, type TransformersEmbedder } from "../src/transformers.js";

/** The real all-MiniLM-L6-v2 (int8, offline) from the local model folder. */
export function loadMiniLM(): Promise<TransformersEmbedder> {
  return createTransformersEmbedder({ localModelPath: requireModelDir(), offline: true, dtype: "q8" });
}

/** A splitter of 16 MiniLM tokens, no overlap: one sentence of {@link OLD_EIFFEL} per chunk. */
export function smallSplitter(embedder: Embedder): RecursiveTextSplitter {
  return new RecursiveTextSplitter({
    chunkSize: 16,
    chunkOverlap: 0,
    lengthFunction: (t) => embedder.countTokens!(t),
  });
}

/** A 14-sentence document: 14 chunks with {@link smallSplitter}. */
export const OLD_EIFFEL: Document = {
  id: "eiffel",
  metadata: { topic: "travel" },
  text: [
    "The Eiffel Tower is a wrought-iron lattice tower in Paris.",
    "It stands on the Champ de Mars near the river Seine.",
    "Gustave Eiffel's company designed and built the tower.",
    "Construction began in January 1887 and ended in March 1889.",
    "It was the entrance arch of the 1889 World's Fair.",
    "Artists at first criticised the design as an eyesore.",
    "The tower is 330 metres tall including its antennas.",
    "It was the tallest man-made structure until 1930.",
    "Visitors climb stairs or take lifts to three levels.",
    "The top level is 276 metres above the ground.",
    "Restaurants operate on the first and second levels.",
    "The tower is repainted every seven years by hand.",
    "About sixty tonnes of paint are used each time.",
    "Nearly seven million people visit the tower every year.",
  ].join("\n"),
};

/** The replacement: a different text of the same document. */
export const NEW_EIFFEL: Document = {
  id: "eiffel",
  metadata: { topic: "travel" },
  text: [
    "The Eiffel Tower was renovated for the 2024 Olympic Games.",
    "Its lighting uses twenty thousand bulbs that sparkle hourly at night.",
    "A glass floor on the first level lets visitors look straight down.",
    "Wind can make the top sway by a few centimetres.",
  ].join("\n"),
};

/** Two more documents on other topics. */
export const OTHERS: Document[] = [
  {
    id: "photosynthesis",
    metadata: { topic: "biology" },
    text: "Photosynthesis turns sunlight, water and carbon dioxide into sugars in the chloroplasts of green plants, releasing oxygen.",
  },
  {
    id: "redis",
    metadata: { topic: "software" },
    text: "Redis is an in-memory key-value database used as a cache and message broker, created by Salvatore Sanfilippo in 2009.",
  },
];

/** Wraps a real embedder: counts calls and texts, and can fail or run a hook on a chosen call. */
export function instrumentedEmbedder(inner: Embedder) {
  const plan: {
    /** 1-based `embedDocuments` call that throws a ServiceError. */
    failCall?: number;
    /** Runs before the given call returns (1-based), e.g. to abort or stop a server. */
    hookCall?: number;
    hook?: () => void | Promise<void>;
    /** Milliseconds each `embedDocuments` call waits first (lets other tasks interleave). */
    delayMs?: number;
    /** What `embedQuery` returns instead of the model's vector. */
    queryVector?: Float32Array;
  } = {};
  /** `active`/`maxActive`: `embedDocuments` calls in flight now / at most at once. */
  const stats = { calls: 0, texts: 0, queries: 0, active: 0, maxActive: 0 };
  const embedder: Embedder = {
    modelId: inner.modelId,
    dimensions: inner.dimensions,
    normalized: inner.normalized,
    countTokens: inner.countTokens ? (t) => inner.countTokens!(t) : undefined,
    async embedDocuments(texts: string[], options?: CallOptions) {
      const call = ++stats.calls;
      stats.texts += texts.length;
      stats.maxActive = Math.max(stats.maxActive, ++stats.active);
      try {
        if (plan.delayMs) await new Promise((r) => setTimeout(r, plan.delayMs));
        if (call === plan.failCall) throw new ServiceError("embedder", "model server failed (injected)");
        const out = await inner.embedDocuments(texts, options);
        if (call === plan.hookCall) await plan.hook?.();
        return out;
      } finally {
        stats.active--;
      }
    },
    async embedQuery(text: string, options?: CallOptions) {
      stats.queries++;
      if (plan.queryVector) return plan.queryVector;
      return inner.embedQuery(text, options);
    },
  };
  return { embedder, plan, stats };
}

/**
 * Wraps a real store: counts calls; `failUpsertCall` writes the first half of that upsert and
 * then throws (a connection lost mid-request); `down` makes every call fail until cleared;
 * `failDeleteWhereCall` fails that `deleteWhere` call.
 */
export function faultyStore(inner: VectorStore) {
  const plan: {
    failUpsertCall?: number;
    downAfterUpsertCall?: number;
    down?: boolean;
    failDeleteWhereCall?: number;
  } = {};
  const calls = { upsert: 0, deleteWhere: 0, query: 0 };
  const guard = () => {
    if (plan.down) throw new ServiceError(inner.kind, "connection refused (injected)");
  };
  const store: VectorStore = {
    kind: inner.kind,
    async count(o) {
      guard();
      return inner.count(o);
    },
    async query(v, o) {
      calls.query++;
      guard();
      return inner.query(v, o);
    },
    async get(ids, o) {
      guard();
      return inner.get(ids, o);
    },
    async upsert(records: VectorRecord[], o?: CallOptions) {
      const call = ++calls.upsert;
      guard();
      if (call === plan.failUpsertCall) {
        await inner.upsert(records.slice(0, Math.ceil(records.length / 2)), o);
        throw new ServiceError(inner.kind, "connection lost during upsert (injected)");
      }
      await inner.upsert(records, o);
      if (call === plan.downAfterUpsertCall) plan.down = true;
    },
    async delete(ids, o) {
      guard();
      return inner.delete(ids, o);
    },
    async deleteWhere(filter, o) {
      const call = ++calls.deleteWhere;
      guard();
      if (call === plan.failDeleteWhereCall) throw new ServiceError(inner.kind, "delete failed (injected)");
      return inner.deleteWhere!(filter, o);
    },
  };
  return { store, plan, calls };
}

/** The chunks of one source document a retriever returns (all of them, any mode), in id order. */
export async function visibleChunks(
  retriever: HybridRetriever,
  sourceId: string,
  mode: "dense" | "lexical" = "dense",
): Promise<Array<{ id: string; text: string; version: unknown }>> {
  const query = mode === "dense" ? "Eiffel Tower" : "the tower eiffel paris level visitors olympic";
  const { documents } = await retriever.retrieve(query, { k: 200, mode, filter: F.eq("parentId", sourceId) });
  return documents
    .map((d) => ({ id: d.id, text: d.text, version: d.metadata.parentVersion }))
    .sort((a, b) => a.id.localeCompare(b.id, "en"));
}

/** Distinct `parentVersion`s among chunks. */
export const versionsOf = (chunks: Array<{ version: unknown }>) => [...new Set(chunks.map((c) => c.version))];
