import {
  type CallOptions,
  createWriteProtocol,
  type Document,
  type Embedder,
  throwIfAborted,
  ValidationError,
  type VectorRecord,
  type VectorStore,
  type VersionedWrite,
} from "@ragloom/core";
import type { DocStore } from "./docstores/types.js";
import type { HierarchicalChunk, HierarchicalSplitter } from "./hierarchical-splitter.js";
import {
  contentVersion,
  isDirty,
  MANIFEST_GROUPS,
  type ManifestEntry,
  ManifestStore,
  type ParentDocumentGroups,
} from "./manifest.js";

/** Options shared by the indexer and the retriever. */
export interface IndexerOptions {
  vectorStore: VectorStore;
  docStore: DocStore;
  embedder: Embedder;
  splitter: HierarchicalSplitter;
  /** Leaf chunks per embedding call and vector-store upsert. @default 64 */
  batchSize?: number;
  /** Source documents written per step of the write protocol (one manifest write, one parent write). @default 32 */
  documentBatchSize?: number;
  /** Docstore id prefix of the per-document manifests. @default "__ragloom_manifest__:" */
  manifestPrefix?: string;
  /** Called when a compensation step fails or a write leaves work for {@link Indexer.repair}. @default console.warn */
  onWarning?: (message: string) => void;
}

/** Options of {@link Indexer.add}. */
export interface AddOptions extends CallOptions {
  /** Re-index documents whose content version is already committed. @default false */
  force?: boolean;
  /** Called after each batch of source documents with (documents done, total). */
  onProgress?: (done: number, total: number) => void;
}

/** What {@link Indexer.add} did. */
export interface AddResult {
  /** Source ids that were (re-)indexed. */
  indexed: string[];
  /** Source ids skipped because the same content version was already committed. */
  unchanged: string[];
  /** Parent chunks written to the docstore. */
  parents: number;
  /** Leaf chunks embedded and written to the vector store. */
  children: number;
}

export interface Indexer {
  add(documents: Document[], options?: AddOptions): Promise<AddResult>;
  delete(sourceId: string, options?: CallOptions): Promise<boolean>;
  repair(options?: CallOptions): Promise<number>;
  readonly manifests: ManifestStore;
}

/**
 * The write side of the parent-document retriever: `@ragloom/core`'s write-ahead protocol
 * (`createWriteProtocol`) over two stores, so that a failure at any point leaves no orphan
 * children or parents:
 *
 * 1. Write-ahead: the manifest of each source document records the new version's chunk ids as
 *    `pending` before any chunk is written.
 * 2. Parents (all non-leaf levels) go to the docstore.
 * 3. Only then are leaves embedded and upserted into the vector store, in batches. So a child in
 *    the vector store always has its parents stored: retrieval never meets a dangling child.
 * 4. Commit: the manifest makes the new version `committed` and lists the replaced version's ids
 *    as `garbage`.
 * 5. Garbage is deleted, children (vector store) before parents (docstore), and the manifest is
 *    cleaned.
 *
 * Chunk ids embed the content version (`${sourceId}@${version}#${path}`), so a new version never
 * overwrites the old one: until the commit, retrieval sees the old version intact.
 * If steps 1-4 fail, the write is compensated: the pending chunks are deleted (children first)
 * and the manifest restored, then the original error is rethrown. If the compensation itself
 * fails (the store is down), the manifest still lists the pending ids, and the next write of that
 * document, `delete` or `repair()` removes them. A failure in step 5 rethrows after the commit;
 * the garbage stays listed and is removed the same way.
 *
 * Writes of one indexer run one at a time (a queue); two processes writing the same source
 * document at once are not coordinated.
 */
export function createIndexer(options: IndexerOptions): Indexer {
  const { vectorStore, docStore, embedder, splitter } = options;
  const batchSize = options.batchSize ?? 64;
  const documentBatchSize = options.documentBatchSize ?? 32;
  if (!(Number.isInteger(batchSize) && batchSize >= 1))
    throw new ValidationError(`batchSize must be a positive integer, got ${batchSize}`);
  if (!(Number.isInteger(documentBatchSize) && documentBatchSize >= 1)) {
    throw new ValidationError(`documentBatchSize must be a positive integer, got ${documentBatchSize}`);
  }
  const warn = options.onWarning ?? ((m: string) => console.warn(`[ragloom] ${m}`));
  const manifests = new ManifestStore(docStore, options.manifestPrefix ?? "__ragloom_manifest__:");
  const protocol = createWriteProtocol<ParentDocumentGroups>({
    manifests,
    groups: MANIFEST_GROUPS,
    // children (vector store) before parents (docstore)
    async remove({ parentIds, childIds }, callOptions) {
      for (let i = 0; i < childIds.length; i += 1000)
        await vectorStore.delete(childIds.slice(i, i + 1000), callOptions);
      if (parentIds.length) await docStore.mdelete(parentIds, callOptions);
    },
    warn,
  });

  let queue: Promise<unknown> = Promise.resolve();
  const serialize = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = queue.then(fn, fn);
    queue = run.catch(() => {});
    return run;
  };

  async function addGroup(documents: Document[], options: AddOptions, result: AddResult) {
    const { signal } = options;
    const clean = await protocol.load(
      documents.map((d) => d.id),
      { signal },
    );
    const leafLevel = splitter.depth - 1;
    const work: Array<VersionedWrite<ParentDocumentGroups> & { chunks: HierarchicalChunk[] }> = [];
    documents.forEach((doc, i) => {
      const manifest = clean[i]!;
      const version = contentVersion(doc, splitter.fingerprint);
      if (!options.force && manifest.committed?.version === version) {
        result.unchanged.push(doc.id);
        return;
      }
      const chunks = splitter.split(doc, { idPrefix: `${doc.id}@${version}` });
      const entry: ManifestEntry = {
        version,
        parentIds: chunks.filter((c) => c.metadata.level < leafLevel).map((c) => c.id),
        childIds: chunks.filter((c) => c.metadata.level === leafLevel).map((c) => c.id),
      };
      work.push({ manifest, entry, chunks });
    });
    if (work.length === 0) return;

    const parents = work.flatMap((w) => w.chunks.filter((c) => c.metadata.level < leafLevel));
    const leaves = work.flatMap((w) => w.chunks.filter((c) => c.metadata.level === leafLevel));
    const committed = await protocol.write(
      work,
      async () => {
        if (parents.length) await docStore.mset(parents, { signal }); // 2. parents
        for (let i = 0; i < leaves.length; i += batchSize) {
          // 3. children, only after their parents
          throwIfAborted(signal);
          const batch = leaves.slice(i, i + batchSize);
          const vectors = await embedder.embedDocuments(
            batch.map((c) => c.text),
            { signal },
          );
          const records: VectorRecord[] = batch.map((c, j) => ({ ...c, vector: vectors[j]! }));
          await vectorStore.upsert(records, { signal });
        }
      },
      { signal },
    );
    // 5. garbage collection of replaced versions
    await protocol.collect(committed);
    result.indexed.push(...work.map((w) => w.manifest.sourceId));
    result.parents += parents.length;
    result.children += leaves.length;
  }

  return {
    manifests,
    async add(documents, addOptions = {}) {
      if (!Array.isArray(documents)) throw new ValidationError("documents must be an array");
      const seen = new Set<string>();
      for (const d of documents) {
        if (!d || typeof d.id !== "string" || d.id.length === 0)
          throw new ValidationError("every document needs a non-empty string id");
        if (typeof d.text !== "string") throw new ValidationError(`document "${d.id}" has no string text`);
        if (seen.has(d.id)) throw new ValidationError(`document id "${d.id}" appears twice in one add()`);
        seen.add(d.id);
      }
      return serialize(async () => {
        const result: AddResult = { indexed: [], unchanged: [], parents: 0, children: 0 };
        for (let i = 0; i < documents.length; i += documentBatchSize) {
          throwIfAborted(addOptions.signal);
          await addGroup(documents.slice(i, i + documentBatchSize), addOptions, result);
          addOptions.onProgress?.(Math.min(i + documentBatchSize, documents.length), documents.length);
        }
        return result;
      });
    },

    async delete(sourceId, callOptions = {}) {
      if (typeof sourceId !== "string" || sourceId.length === 0)
        throw new ValidationError("sourceId must be a non-empty string");
      return serialize(async () => {
        const [m] = await manifests.getMany([sourceId], callOptions);
        if (!m || (m.committed === null && !isDirty(m))) return false;
        // record everything as garbage first, so a failure below is finished by a retry or repair()
        await protocol.retire([m], callOptions);
        return m.committed !== null;
      });
    },

    repair(callOptions = {}) {
      return serialize(() => protocol.repair(documentBatchSize, callOptions));
    },
  };
}
