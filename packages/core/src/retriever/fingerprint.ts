import { createHash, randomUUID } from "node:crypto";
import { BM25Index } from "../lexical/bm25.js";
import type { LexicalIndex } from "../types/lexical-index.js";
import type { VectorStore } from "../types/vector-store.js";

const instanceIds = new WeakMap<object, string>();

/**
 * The store's `scope`, or a random id fixed for the store instance when it has none: such a
 * store is never taken for another one, so cached answers are never shared by mistake.
 */
export function storeScope(store: VectorStore | LexicalIndex): string {
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

/**
 * A BM25 index's parameters and analyzer, identified by what it makes of {@link PROBE}; another
 * lexical index's kind and scope (a random per-instance id without one).
 */
export function lexicalIdentity(index: LexicalIndex | undefined): unknown {
  if (!index) return null;
  if (index instanceof BM25Index) return { k1: index.k1, b: index.b, analyzer: index.terms(PROBE) };
  return { kind: index.kind ?? "lexical", scope: storeScope(index) };
}

/** SHA-256 (first 32 hex digits) of a JSON-serialisable description. */
export function fingerprintOf(parts: unknown): string {
  return createHash("sha256").update(JSON.stringify(parts)).digest("hex").slice(0, 32);
}
