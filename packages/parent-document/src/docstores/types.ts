import type { CallOptions, Document } from "@ragloom/core";

/** Options of {@link DocStore.keys}. */
export interface DocStoreKeysOptions extends CallOptions {
  /** Only ids starting with this string. @default "" (every id) */
  prefix?: string;
}

/**
 * A key-value store of {@link Document}s by id: where parent chunks live while their child
 * chunks live in a vector store (the "docstore" of LangChain's `ParentDocumentRetriever`
 * and LlamaIndex's `AutoMergingRetriever`).
 *
 * Contract (checked by the shared conformance suite, `test/docstore-conformance.ts`):
 * - `mset` inserts or replaces by id; a later document with the same id in one call wins.
 * - `mget` returns one entry per requested id, in request order, `undefined` for a missing id;
 *   returned documents are copies (mutating them does not change the store).
 * - `mdelete` ignores unknown ids.
 * - ids are non-empty strings of any characters; an empty id is a `ValidationError`.
 * - backend failures are `ServiceError`s.
 */
export interface DocStore {
  /** Human-readable kind: `in-memory`, `file-system`, `redis`. */
  readonly kind: string;
  /** Documents by id, in request order; `undefined` where an id is missing. */
  mget(ids: string[], options?: CallOptions): Promise<Array<Document | undefined>>;
  /** Inserts or replaces documents by id. */
  mset(documents: Document[], options?: CallOptions): Promise<void>;
  /** Deletes documents by id; unknown ids are ignored. */
  mdelete(ids: string[], options?: CallOptions): Promise<void>;
  /** Every stored id (optionally with a prefix), in no particular order. */
  keys(options?: DocStoreKeysOptions): AsyncIterable<string>;
  /** Releases connections the store opened itself (optional). */
  close?(): Promise<void>;
}

/** Collects {@link DocStore.keys} into an array. */
export async function collectKeys(store: DocStore, options?: DocStoreKeysOptions): Promise<string[]> {
  const out: string[] = [];
  for await (const key of store.keys(options)) out.push(key);
  return out;
}
