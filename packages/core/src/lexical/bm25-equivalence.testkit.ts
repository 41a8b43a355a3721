/**
 * Shared by the BM25 equivalence test and the script that froze its expectations: digests of
 * terms, rankings and serialised bytes, and a fixed sequence of adds, replaces and deletes.
 */
import { createHash } from "node:crypto";
import type { Document, ScoredDocument } from "../types/document.js";

/** The parts of a BM25 index the equivalence checks drive. */
export interface IndexUnderTest {
  add(documents: Document[]): void;
  delete(ids: string[]): void;
  search(query: string, options: { k: number }): ScoredDocument[];
}

/** First 16 hex digits of the SHA-256 of `value`'s JSON (numbers round-trip exactly). */
export function digest(value: unknown): string {
  return createHash("sha256").update(JSON.stringify(value)).digest("hex").slice(0, 16);
}

/** First 16 hex digits of the SHA-256 of some bytes. */
export function bytesDigest(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex").slice(0, 16);
}

/** Each query's top `k` as a digest of `[id, score]` pairs, best first. */
export function rankingDigests(index: IndexUnderTest, queries: string[], k: number): string[] {
  return queries.map((q) => digest(index.search(q, { k }).map((h) => [h.id, h.score])));
}

/**
 * Builds `docs` through batches of different sizes, deletes, replacements (one id twice in a
 * batch), deletes of unknown ids and re-adds into freed slots.
 */
export function churn(index: IndexUnderTest, docs: Document[]): void {
  index.add(docs.slice(0, 2000));
  for (let i = 2000; i < docs.length; i += 97) index.add(docs.slice(i, i + 97));
  index.delete(docs.filter((_, i) => i % 7 === 3).map((d) => d.id));
  const replaced = docs
    .filter((_, i) => i % 11 === 5)
    .map((d) => ({ ...d, text: `${d.text} replaced twice` }));
  index.add([...replaced, { ...replaced[0]!, text: "once more with feeling" }]);
  index.delete([...docs.filter((_, i) => i % 13 === 0).map((d) => d.id), "no-such-id"]);
  index.add(
    docs.filter((_, i) => i % 26 === 0 || i % 7 === 3).map((d) => ({ ...d, text: d.text.slice(0, 200) })),
  );
  for (let i = 1; i < 60; i += 3) index.add([docs[i]!]);
}
