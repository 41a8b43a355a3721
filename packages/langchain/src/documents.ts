import { createHash } from "node:crypto";
import type { DocumentInterface } from "@langchain/core/documents";
import { Document as LangChainDocument } from "@langchain/core/documents";
import type { Document, Metadata, MetadataValue, ScoredDocument } from "@ragloom/core";
import { ValidationError } from "@ragloom/core";

/** Options of {@link toLangChainDocument}. */
export interface ToLangChainDocumentOptions {
  /**
   * Metadata key that receives the ragloom document id (also set as the LangChain `id` field),
   * or `false` for none. It overrides a ragloom metadata field of the same name. @default "id"
   */
  idKey?: string | false;
  /**
   * Metadata key that receives the score of a {@link ScoredDocument} (higher is better; its
   * meaning is the producing retriever's: cosine similarity for dense search, a fused score for
   * hybrid search, ...), or `false` for none. It overrides a ragloom metadata field of the same
   * name. Documents without a score get no score key. @default "score"
   */
  scoreKey?: string | false;
}

/**
 * Converts a ragloom document (or scored search hit) into a LangChain `Document`.
 *
 * `pageContent` is the ragloom `text`, `id` the ragloom `id`, and `metadata` a copy of the ragloom
 * metadata plus `metadata[idKey] = id` and, for a scored hit, `metadata[scoreKey] = score`.
 * Arrays are copied, so changing the LangChain document never changes the ragloom one.
 * Other fields of a hit (such as a `vector`) are not carried over.
 *
 * @example
 * toLangChainDocument({ id: "a#0", text: "Hello", metadata: { lang: "en" }, score: 0.82 })
 * // Document { pageContent: "Hello", id: "a#0", metadata: { lang: "en", id: "a#0", score: 0.82 } }
 */
export function toLangChainDocument(
  document: Document | ScoredDocument,
  options: ToLangChainDocumentOptions = {},
): LangChainDocument<Record<string, unknown>> {
  const idKey = options.idKey ?? "id";
  const scoreKey = options.scoreKey ?? "score";
  const metadata: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(document.metadata ?? {}))
    metadata[key] = Array.isArray(value) ? [...value] : value;
  if (idKey !== false) metadata[idKey] = document.id;
  const score = (document as Partial<ScoredDocument>).score;
  if (scoreKey !== false && typeof score === "number") metadata[scoreKey] = score;
  return new LangChainDocument({ pageContent: document.text, metadata, id: document.id });
}

/** Options of {@link fromLangChainDocument}. */
export interface FromLangChainDocumentOptions {
  /**
   * Id of the ragloom document when the LangChain document has none (`id` field, else a string
   * `metadata.id`). @default a content id: `lc-` and the first 32 hex digits of the SHA-256 of
   * `pageContent` (stable, so that adding the same text twice stays idempotent; give changing
   * documents their own ids so that a new version replaces the old one)
   */
  id?: string;
  /**
   * Metadata keys not copied into the ragloom metadata, such as the `score` and `id` that
   * {@link toLangChainDocument} added. @default []
   */
  omitKeys?: string[];
}

/**
 * Converts a LangChain `Document` into a ragloom {@link Document}.
 *
 * `text` is `pageContent`; `id` is the LangChain `id`, else a string `metadata.id`, else
 * `options.id`, else a content id (see {@link FromLangChainDocumentOptions.id}). ragloom
 * metadata is flat, so LangChain metadata is mapped key by key:
 *
 * - strings, finite numbers, booleans and non-empty arrays of one of these types are kept;
 * - `Date`s become epoch milliseconds (the filter IR's date representation);
 * - plain objects are flattened with dotted keys (`loc: { lines: { from: 1 } }` becomes
 *   `"loc.lines.from": 1`), so loaders' `loc` fields stay filterable;
 * - `null`, `undefined`, empty arrays, functions and symbols are dropped;
 * - anything else (mixed arrays, arrays of objects, class instances, objects nested deeper than 8
 *   levels) is stored as its JSON text; `NaN`, infinities and bigints as `String(value)`.
 *
 * A document that went through {@link toLangChainDocument} converts back to the same id, text
 * and metadata (pass `omitKeys: ["score"]` to drop the score it added; its `id` key is
 * recognised as the id and dropped from the metadata).
 * @throws ValidationError when `pageContent` is not a string or the id is an empty string.
 */
export function fromLangChainDocument(
  document: DocumentInterface,
  options: FromLangChainDocumentOptions = {},
): Document {
  const text: unknown = document.pageContent;
  if (typeof text !== "string") throw new ValidationError(`pageContent must be a string, got ${typeof text}`);
  const source = (document.metadata ?? {}) as Record<string, unknown>;
  const metaId = typeof source.id === "string" ? source.id : undefined;
  const id = document.id ?? metaId ?? options.id ?? contentId(text);
  if (typeof id !== "string" || id.length === 0)
    throw new ValidationError(`document id must be a non-empty string, got ${JSON.stringify(id)}`);
  const omit = new Set(options.omitKeys ?? []);
  // the id key is the document's id, not a metadata field, when it names the same id
  if (metaId !== undefined && metaId === id) omit.add("id");
  const metadata: Metadata = {};
  for (const [key, value] of Object.entries(source)) {
    if (!omit.has(key)) addMetadata(metadata, key, value, 0);
  }
  return { id, text, metadata };
}

/** Deepest object nesting that is flattened; deeper values are stored as JSON text. */
const MAX_DEPTH = 8;

function addMetadata(out: Metadata, key: string, value: unknown, depth: number): void {
  if (value === null || value === undefined) return;
  if (typeof value === "function" || typeof value === "symbol") return;
  const flat = toMetadataValue(value);
  if (flat !== undefined) {
    if (!(Array.isArray(flat) && flat.length === 0)) out[key] = flat;
    return;
  }
  if (isPlainObject(value) && depth < MAX_DEPTH) {
    for (const [k, v] of Object.entries(value)) addMetadata(out, `${key}.${k}`, v, depth + 1);
    return;
  }
  out[key] = jsonText(value);
}

/** The value as ragloom metadata, or undefined when it has no direct representation. */
function toMetadataValue(value: unknown): MetadataValue | undefined {
  if (typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  if (value instanceof Date) return Number.isFinite(value.getTime()) ? value.getTime() : undefined;
  if (Array.isArray(value)) {
    if (value.length === 0) return [];
    const kind = typeof value[0];
    if (kind !== "string" && kind !== "number" && kind !== "boolean") return undefined;
    if (!value.every((v) => typeof v === kind && (kind !== "number" || Number.isFinite(v)))) return undefined;
    return [...value] as MetadataValue;
  }
  return undefined;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function jsonText(value: unknown): string {
  if (typeof value === "number") return String(value);
  try {
    const json = JSON.stringify(value);
    if (typeof json === "string") return json;
  } catch {
    // bigints, cycles: fall back to String()
  }
  return String(value);
}

function contentId(text: string): string {
  return `lc-${createHash("sha256").update(text).digest("hex").slice(0, 32)}`;
}
