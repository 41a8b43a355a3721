import { randomUUID } from "node:crypto";
import type { Retriever } from "../types/retriever.js";
import { hashText } from "./keys.js";

/** What the cache wrappers read from the retriever they wrap, when present. */
export interface RetrieverIdentity {
  /** Index version (`createRetriever` increments it on every add and delete). */
  version?: string | number;
  /** Identity of the retriever's configuration (store, embedder model, mode, fusion, …). */
  fingerprint?: string | (() => string);
  /** The query normalisation the retriever applies itself. */
  normalizeQuery?: (query: string) => string;
}

/**
 * The scope of a cache wrapper: a 43-character SHA-256 of the retriever's `fingerprint` (when it
 * has one) and the caller's `scope` (when given); when there is neither, of a random UUID drawn
 * once per wrapper, so that two wrappers never share entries unless they say what they share.
 * @returns a function, since a retriever's fingerprint may change (e.g. after reconfiguration).
 */
export function retrieverScope(retriever: Retriever, scope: string | undefined): () => string {
  const identity = retriever as Retriever & RetrieverIdentity;
  const fingerprint = () =>
    typeof identity.fingerprint === "function" ? identity.fingerprint() : identity.fingerprint;
  const random = identity.fingerprint === undefined && scope === undefined ? randomUUID() : null;
  return () => hashText(JSON.stringify([random, fingerprint() ?? null, scope ?? null]));
}
