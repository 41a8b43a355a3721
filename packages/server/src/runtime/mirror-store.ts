import { compileFilter, type VectorStore } from "@ragloom/core";
import type { DocumentIndex } from "./document-index.js";

/**
 * The same store, with every successful write also applied to `index`: `upsert` records the
 * chunks' ids and metadata, `delete` and `deleteWhere` forget them (the filter evaluated on the
 * indexed metadata with core's evaluator, the semantics every store shares). Everything else
 * (query, get, scan, ping, `scope`, `breaker`, …) is the store's own.
 */
export function mirrorStore<S extends VectorStore>(store: S, index: DocumentIndex): S {
  const overrides: Partial<VectorStore> = {
    async upsert(records, options) {
      await store.upsert(records, options);
      index.addChunks(records);
    },
    async delete(ids, options) {
      await store.delete(ids, options);
      index.removeChunks(ids);
    },
  };
  if (store.deleteWhere) {
    const deleteWhere = store.deleteWhere.bind(store);
    overrides.deleteWhere = async (filter, options) => {
      const n = await deleteWhere(filter, options);
      const matches = compileFilter(filter);
      index.removeWhere((metadata) => matches(metadata));
      return n;
    };
  }
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (prop in overrides) return overrides[prop as keyof VectorStore];
      const value = Reflect.get(target, prop, receiver);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
