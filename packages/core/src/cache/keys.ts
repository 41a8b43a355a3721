import { createHash } from "node:crypto";
import { pushDownNot } from "../filter/normalize.js";
import type { Filter } from "../filter/types.js";
import { validateFilter } from "../filter/validate.js";

/** SHA-256 of `text` (UTF-8) as 43 base64url characters (FIPS 180-4). */
export function hashText(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("base64url");
}

/** JSON with object keys sorted, so equal values give equal strings. */
export function stableStringify(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(",")}}`;
}

/**
 * Collapses every run of Unicode whitespace to one space and trims: `"  What is\tRAG? "` becomes
 * `"What is RAG?"`. The default query normalisation of the result cache: case and Unicode form are
 * kept, since a retriever may tell them apart.
 */
export function collapseWhitespace(query: string): string {
  return query.replace(/\s+/gu, " ").trim();
}

/**
 * Normalises a query for counting (the query tracker): Unicode NFKC, lower case, whitespace runs
 * collapsed to one space, trimmed. `"  What is  RAG? "` and `"what is rag?"` count as one query.
 * Not a safe cache key for a retriever that tells case apart (see {@link collapseWhitespace}).
 */
export function normalizeQuery(query: string): string {
  return query.normalize("NFKC").toLowerCase().replace(/\s+/gu, " ").trim();
}

/**
 * A canonical string for a filter: validated, negations pushed down (so `not(eq)` and `ne` agree),
 * keys sorted. `null`/absent filters give `"null"`.
 * @throws FilterError for an invalid filter.
 */
export function canonicalFilter(filter: Filter | null | undefined): string {
  if (!filter) return "null";
  return stableStringify(pushDownNot(validateFilter(filter)));
}
