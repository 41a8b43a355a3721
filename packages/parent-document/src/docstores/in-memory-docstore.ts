import { type CallOptions, type Document, throwIfAborted } from "@ragloom/core";
import type { DocStore, DocStoreKeysOptions } from "./types.js";
import { checkDocuments, checkIds, fromStored, toStored } from "./validate.js";

/**
 * A {@link DocStore} in a `Map` of the process. Documents are stored serialised (JSON), so
 * reads and writes copy, exactly as the file-system and Redis stores behave.
 */
export class InMemoryDocStore implements DocStore {
  readonly kind = "in-memory";
  private readonly map = new Map<string, string>();

  /** Number of stored documents. */
  get size(): number {
    return this.map.size;
  }

  async mget(ids: string[], options?: CallOptions): Promise<Array<Document | undefined>> {
    throwIfAborted(options?.signal);
    checkIds(ids);
    return ids.map((id) => {
      const raw = this.map.get(id);
      return raw === undefined ? undefined : fromStored(raw);
    });
  }

  async mset(documents: Document[], options?: CallOptions): Promise<void> {
    throwIfAborted(options?.signal);
    checkDocuments(documents);
    for (const d of documents) this.map.set(d.id, toStored(d));
  }

  async mdelete(ids: string[], options?: CallOptions): Promise<void> {
    throwIfAborted(options?.signal);
    checkIds(ids);
    for (const id of ids) this.map.delete(id);
  }

  async *keys(options: DocStoreKeysOptions = {}): AsyncIterable<string> {
    throwIfAborted(options.signal);
    const prefix = options.prefix ?? "";
    for (const key of [...this.map.keys()]) if (key.startsWith(prefix)) yield key;
  }
}

/** Creates an empty {@link InMemoryDocStore}. */
export function createInMemoryDocStore(): InMemoryDocStore {
  return new InMemoryDocStore();
}
