import type { RetrievalResult } from "../types/retriever.js";

/** One cached answer of a semantic cache. */
export interface SemanticCacheEntry {
  id: string;
  /** The query as first asked. */
  query: string;
  /** Its embedding. */
  vector: Float32Array;
  result: RetrievalResult;
  /** Epoch milliseconds after which the entry is dead; `0` = never. */
  expiresAt: number;
  /** Invalidation tags. */
  tags: string[];
}

/** What a look-up scans: the vector part of an entry (results are loaded only for the winner). */
export type SemanticCandidate = Pick<SemanticCacheEntry, "id" | "vector" | "expiresAt" | "tags">;

/**
 * Back-end of a semantic cache. A scope is `namespace` + a hash of (filter, k, index version):
 * entries of different scopes are never compared, so two tenants (two filters) never share one.
 */
export interface SemanticCacheStore {
  readonly kind: string;
  candidates(scope: string, options?: { signal?: AbortSignal }): Promise<SemanticCandidate[]>;
  load(scope: string, id: string): Promise<Pick<SemanticCacheEntry, "query" | "result"> | undefined>;
  add(scope: string, entry: SemanticCacheEntry): Promise<void>;
  remove(scope: string, ids: string[]): Promise<void>;
  /** Removes every entry of a namespace, or carrying a tag; returns how many were removed. */
  invalidate(selector: { namespace?: string; tag?: string }): Promise<number>;
}

/** Scope names start with `<namespace>|`. */
export const namespaceOfScope = (scope: string) => scope.slice(0, scope.indexOf("|"));

/** Options of {@link createMemorySemanticStore}. */
export interface MemorySemanticStoreOptions {
  /** Entries kept per scope; the oldest is dropped beyond it (FIFO). @default 1000 */
  maxEntriesPerScope?: number;
}

/** An in-process {@link SemanticCacheStore}: a map of scopes, each scanned linearly. */
export function createMemorySemanticStore(options: MemorySemanticStoreOptions = {}): SemanticCacheStore {
  const max = options.maxEntriesPerScope ?? 1000;
  const scopes = new Map<string, Map<string, SemanticCacheEntry>>();
  return {
    kind: "memory",
    async candidates(scope) {
      return [...(scopes.get(scope)?.values() ?? [])];
    },
    async load(scope, id) {
      return scopes.get(scope)?.get(id);
    },
    async add(scope, entry) {
      let m = scopes.get(scope);
      if (!m) {
        m = new Map();
        scopes.set(scope, m);
      }
      m.set(entry.id, entry);
      while (m.size > max) m.delete(m.keys().next().value!);
    },
    async remove(scope, ids) {
      const m = scopes.get(scope);
      for (const id of ids) m?.delete(id);
    },
    async invalidate({ namespace, tag }) {
      let n = 0;
      for (const [scope, m] of scopes) {
        if (namespace !== undefined && namespaceOfScope(scope) === namespace) {
          n += m.size;
          scopes.delete(scope);
          continue;
        }
        if (tag !== undefined) {
          for (const [id, e] of m) {
            if (e.tags.includes(tag)) {
              m.delete(id);
              n++;
            }
          }
        }
      }
      return n;
    },
  };
}
