import { createHash, randomUUID } from "node:crypto";
import type { BM25Index } from "../lexical/bm25.js";
import type { VectorStore } from "../types/vector-store.js";

const instanceIds = new WeakMap<object, string>();

/**
 * The store's `scope`, or a random id fixed for the store instance when it has none: such a
 * store is never taken for another one, so cached answers are never shared by mistake.
 */
export function storeScope(store: VectorStore): string {
  if (typeof store.scope === "string" && store.scope.length > 0) return `scope:${store.scope}`;
  let id = instanceIds.get(store);
  if (!id) {
    id = `instance:${randomUUID()}`;
    instanceIds.set(store, id);
  }
  return id;
}

/** A fixed text that exercises case folding, stop words, punctuation, digits and non-ASCII words. */
const PROBE = "The Quick brown foxes aren't running: 3.14 km/h, naïve résumé Straße İstanbul 東京 won't";

/** BM25 parameters and the analyzer, identified by what it makes of {@link PROBE}. */
export function lexicalIdentity(index: BM25Index | undefined): unknown {
  return index ? { k1: index.k1, b: index.b, analyzer: index.terms(PROBE) } : null;
}

/** SHA-256 (first 32 hex digits) of a JSON-serialisable description. */
export function fingerprintOf(parts: unknown): string {
  return createHash("sha256").update(JSON.stringify(parts)).digest("hex").slice(0, 32);
}
