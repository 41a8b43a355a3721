import { type Embedder, throwIfAborted, ValidationError, type VectorStore } from "@ragloom/core";
import type { CompressibleDocument, WarningHandler } from "./types.js";

/** Throws a ValidationError unless `query` is a non-empty string. */
export function assertQuery(query: string): void {
  if (typeof query !== "string" || query.trim() === "") {
    throw new ValidationError("query must be a non-empty string");
  }
}

/** Embeds distinct texts once each, preserving input order in the result. */
export async function embedUnique(
  embedder: Embedder,
  texts: string[],
  signal: AbortSignal | undefined,
): Promise<Array<Float32Array | number[]>> {
  const index = new Map<string, number>();
  const unique: string[] = [];
  for (const t of texts) {
    if (!index.has(t)) {
      index.set(t, unique.length);
      unique.push(t);
    }
  }
  throwIfAborted(signal);
  const vectors = unique.length ? await embedder.embedDocuments(unique, { signal }) : [];
  throwIfAborted(signal);
  return texts.map((t) => vectors[index.get(t)!]!);
}

/** How the vectors of a batch of documents were obtained. */
export interface VectorStats {
  /** Vectors taken from the documents themselves (`vector` field). */
  carried: number;
  /** Vectors fetched from the vector store by id. */
  fetched: number;
  /** Documents embedded with the embedder. */
  embedded: number;
}

/**
 * Vectors of `documents`, reusing what is already there: first a carried `vector` of the right
 * length, then (if `store` is given) the stored record with the same id and identical text, and
 * only then `embedder.embedDocuments` for the rest (one batched call).
 */
export async function documentVectors(
  documents: CompressibleDocument[],
  options: {
    embedder: Embedder;
    store?: VectorStore;
    signal?: AbortSignal;
    compressor: string;
    onWarning: WarningHandler;
  },
): Promise<{ vectors: Array<Float32Array | number[]>; stats: VectorStats }> {
  const { embedder, store, signal } = options;
  const dims = embedder.dimensions;
  const out: Array<Float32Array | number[] | undefined> = documents.map((d) => {
    if (d.vector === undefined) return undefined;
    if (d.vector.length === dims) return d.vector;
    options.onWarning({
      compressor: options.compressor,
      code: "vector-ignored",
      message: `document ${d.id} carries a ${d.vector.length}-d vector, embedder has ${dims}; re-embedding`,
      documentId: d.id,
    });
    return undefined;
  });
  const stats: VectorStats = { carried: out.filter(Boolean).length, fetched: 0, embedded: 0 };
  if (store && out.some((v) => v === undefined)) {
    const missing = documents.filter((_, i) => out[i] === undefined).map((d) => d.id);
    throwIfAborted(signal);
    const records = await store.get([...new Set(missing)], { signal });
    const byId = new Map(records.map((r) => [r.id, r]));
    documents.forEach((d, i) => {
      const r = byId.get(d.id);
      if (out[i] === undefined && r && r.text === d.text && r.vector.length === dims) {
        out[i] = r.vector;
        stats.fetched++;
      }
    });
  }
  const todo = documents.map((d, i) => ({ d, i })).filter(({ i }) => out[i] === undefined);
  if (todo.length) {
    const vecs = await embedUnique(
      embedder,
      todo.map(({ d }) => d.text),
      signal,
    );
    todo.forEach(({ i }, j) => {
      out[i] = vecs[j]!;
    });
    stats.embedded = todo.length;
  }
  return { vectors: out as Array<Float32Array | number[]>, stats };
}

/** Copy of `doc` with a new text and without its (now stale) `vector`. */
export function withText<T extends CompressibleDocument>(doc: T, text: string): T {
  if (text === doc.text) return doc;
  const { vector: _stale, ...rest } = doc;
  return { ...rest, text } as T;
}
