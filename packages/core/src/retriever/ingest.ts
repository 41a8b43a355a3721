import { AbortError, IngestError, ValidationError } from "../errors/errors.js";
import { type EventSinkLike, emitEvent } from "../events/event-bus.js";
import { F } from "../filter/builders.js";
import { KeyedLock } from "../ingest/keyed-lock.js";
import { contentVersion, isDirty, type Manifest } from "../ingest/manifest.js";
import type { ManifestStore } from "../ingest/manifest-store.js";
import { createWriteProtocol, type VersionedWrite } from "../ingest/write-protocol.js";
import type { RecursiveTextSplitter } from "../splitter/recursive-splitter.js";
import type { Document } from "../types/document.js";
import type { CallOptions, Embedder } from "../types/embedder.js";
import type { LexicalIndex } from "../types/lexical-index.js";
import type { IngestResult } from "../types/retriever.js";
import type { VectorRecord, VectorStore } from "../types/vector-store.js";
import { abortError, checkAborted } from "./abort.js";
import type { HybridAddOptions } from "./types.js";
import type { VersionVisibility, VisibilityRule } from "./visibility.js";

/**
 * Ids per internal store call and values per internal filter list: well under the limits the
 * filter validator sets for untrusted filters, and under Chroma's request sizes.
 */
export const INTERNAL_BATCH = 1000;
const FORMAT = "ragloom-retriever-chunks/1";

/** A source document split into its versioned chunks. */
interface Prepared {
  id: string;
  version: string;
  chunks: Document[];
}

/** Running totals of one `add` call. */
interface Totals extends IngestResult {
  done: number;
  total: number;
}

/** What the write side of `createRetriever` works on. */
export interface IngestorOptions {
  embedder: Embedder;
  store: VectorStore;
  lexical: LexicalIndex | undefined;
  splitter: RecursiveTextSplitter | undefined;
  batchSize: number;
  documentBatchSize: number;
  manifests: ManifestStore;
  visibility: VersionVisibility;
  events: EventSinkLike | undefined;
  warn: (message: string) => void;
  /** Called whenever what readers see changes. */
  changed: () => void;
}

/** The write side of `createRetriever`. */
export interface Ingestor {
  add(documents: Document[], options?: HybridAddOptions): Promise<IngestResult>;
  delete(ids: string[], options?: CallOptions): Promise<void>;
  repair(options?: CallOptions): Promise<number>;
}

const errorMessage = (e: unknown) => (e instanceof Error ? e.message : String(e));

/**
 * Creates the write side of a retriever: the write-ahead protocol of `../ingest` over the vector
 * store and the lexical index, with per-document serialisation and reader visibility.
 */
export function createIngestor(o: IngestorOptions): Ingestor {
  const { embedder, store, lexical, splitter, visibility } = o;
  const lock = new KeyedLock();

  async function removeStored(ids: string[], signal?: AbortSignal) {
    for (let i = 0; i < ids.length; i += INTERNAL_BATCH)
      await store.delete(ids.slice(i, i + INTERNAL_BATCH), { signal });
  }
  const protocol = createWriteProtocol({
    manifests: o.manifests,
    groups: ["chunkIds"],
    remove: async (ids, callOptions) => {
      await removeStored(ids.chunkIds, callOptions?.signal);
      await lexical?.delete(ids.chunkIds, callOptions);
    },
    warn: o.warn,
  });

  function prepare(doc: Document): Prepared {
    const source = { ...doc, metadata: doc.metadata ?? {} };
    const pieces = splitter ? splitter.splitDocuments([source]) : [source];
    // the version covers the id, text, metadata, model and the chunks themselves (so a splitter
    // change that changes the chunks changes it, and one that does not costs no re-embedding)
    const fingerprint = JSON.stringify([
      FORMAT,
      embedder.modelId,
      doc.id,
      splitter ? pieces.map((c) => [c.text, c.metadata]) : null,
    ]);
    const version = contentVersion(source, fingerprint);
    const chunks = pieces.map((c, i) => ({
      id: `${doc.id}@${version}#${i}`,
      text: c.text,
      metadata: { ...c.metadata, parentId: doc.id, parentVersion: version },
    }));
    return { id: doc.id, version, chunks };
  }

  /**
   * Which of `ids` the store already holds (batched `get`). This read is part of a write, so it
   * goes through a resilient store's `forWrites` view, which waits out a short outage like writes do.
   */
  async function stored(ids: string[], signal?: AbortSignal): Promise<Set<string>> {
    const found = new Set<string>();
    const reader = (store as VectorStore & { forWrites?: VectorStore }).forWrites ?? store;
    for (let i = 0; i < ids.length; i += INTERNAL_BATCH) {
      for (const r of await reader.get(ids.slice(i, i + INTERNAL_BATCH), { signal })) found.add(r.id);
    }
    return found;
  }

  /**
   * Removes every version but the committed one of each document: by filter where the store can
   * (which also finds chunks another process wrote), else by the ids the manifests recorded.
   */
  async function sweep(committed: Manifest[]) {
    for (let i = 0; i < committed.length; i += INTERNAL_BATCH) {
      const part = committed.slice(i, i + INTERNAL_BATCH);
      const filter = F.and(
        F.in(
          "parentId",
          part.map((m) => m.sourceId),
        ),
        F.nin(
          "parentVersion",
          part.map((m) => m.committed!.version),
        ),
      );
      if (store.deleteWhere) await store.deleteWhere(filter);
      else await removeStored(part.flatMap((m) => m.garbage.chunkIds));
      await lexical?.deleteWhere(filter);
    }
  }

  const progress = (t: Totals, onProgress: HybridAddOptions["onProgress"]) => {
    const p = { done: t.done, total: t.total };
    onProgress?.(p);
    emitEvent(o.events, "ingest:progress", p);
  };

  async function writeChunks(chunks: Document[], options: HybridAddOptions, totals: Totals) {
    const { signal } = options;
    for (let i = 0; i < chunks.length; i += o.batchSize) {
      checkAborted(signal);
      const batch = chunks.slice(i, i + o.batchSize);
      const vectors = await embedder.embedDocuments(
        batch.map((c) => c.text),
        { signal },
      );
      if (vectors.length !== batch.length)
        throw new ValidationError(
          `the embedder returned ${vectors.length} vectors for ${batch.length} texts`,
        );
      const records: VectorRecord[] = batch.map((c, j) => {
        const vector = vectors[j]!;
        if (!vector.every(Number.isFinite))
          throw new ValidationError(`the embedder returned a non-finite vector for chunk "${c.id}"`);
        return { ...c, vector };
      });
      await store.upsert(records, { signal });
      await lexical?.add(batch, { signal });
      totals.done += batch.length;
      progress(totals, options.onProgress);
    }
  }

  const pendingRule = (rule: VisibilityRule | undefined, version: string, n: number): VisibilityRule => {
    if (rule?.only !== undefined) return rule.only === version ? rule : { ...rule, hidden: rule.hidden + n };
    return { hide: new Set([...(rule?.hide ?? []), version]), hidden: (rule?.hidden ?? 0) + n };
  };
  const committedRule = (w: VersionedWrite): [string, VisibilityRule] => [
    w.manifest.sourceId,
    { only: w.entry.version, hidden: w.manifest.committed?.chunkIds.length ?? 0 },
  ];

  async function addGroup(group: Prepared[], options: HybridAddOptions, totals: Totals) {
    const { signal } = options;
    const before = await protocol.load(
      group.map((p) => p.id),
      { signal },
    );
    const fresh: VersionedWrite[] = [];
    const chunksOf = new Map(group.map((p) => [p.id, p.chunks]));
    group.forEach((p, i) => {
      const manifest = before[i]!;
      if (!options.force && manifest.committed?.version === p.version) {
        totals.unchanged.push(p.id);
        totals.done += p.chunks.length;
      } else fresh.push({ manifest, entry: { version: p.version, chunkIds: p.chunks.map((c) => c.id) } });
    });
    // a version whose chunks are all stored already (e.g. written by an earlier process) is adopted
    const have = options.force
      ? new Set<string>()
      : await stored(
          fresh.flatMap((w) => w.entry.chunkIds),
          signal,
        );
    const adopt = options.force
      ? []
      : fresh.filter((w) => w.entry.chunkIds.length > 0 && w.entry.chunkIds.every((id) => have.has(id)));
    const write = fresh.filter((w) => !adopt.includes(w));
    const committed: Manifest[] = [];
    if (adopt.length) {
      await lexical?.add(
        adopt.flatMap((w) => chunksOf.get(w.manifest.sourceId)!),
        { signal },
      );
      committed.push(...(await protocol.adopt(adopt, { signal })));
      visibility.update(adopt.map(committedRule));
      o.changed();
      for (const w of adopt) {
        totals.unchanged.push(w.manifest.sourceId);
        totals.done += w.entry.chunkIds.length;
      }
    }
    if (totals.done > 0 && write.length === 0) progress(totals, options.onProgress);
    if (write.length) {
      const ids = write.map((w) => w.manifest.sourceId);
      const previous = ids.map((id) => [id, visibility.rule(id)] as [string, VisibilityRule | undefined]);
      const chunks = ids.flatMap((id) => chunksOf.get(id)!);
      const done = await protocol.write(write, () => writeChunks(chunks, options, totals), {
        signal,
        onPending: async () => {
          visibility.update(
            write
              // a forced rewrite of the committed version overwrites the same ids: nothing to hide
              .filter((w) => w.manifest.committed?.version !== w.entry.version)
              .map((w) => [
                w.manifest.sourceId,
                pendingRule(visibility.rule(w.manifest.sourceId), w.entry.version, w.entry.chunkIds.length),
              ]),
          );
          // readers that started earlier must not meet the new chunks
          await visibility.drain();
        },
        onCommit: () => {
          visibility.update(write.map(committedRule));
          o.changed();
        },
        onRollback: (rolledBack) => {
          if (rolledBack) visibility.update(previous);
        },
      });
      committed.push(...done);
      totals.written.push(...ids);
      totals.chunks += chunks.length;
    }
    if (committed.length === 0) return;
    // readers that started before the commit may still show the old versions: let them finish
    await visibility.drain();
    await protocol.collect(committed, { remove: sweep });
    visibility.update(
      committed.map((m) => [
        m.sourceId,
        // without deleteWhere, chunks of versions nobody recorded may remain: keep hiding them
        store.deleteWhere ? undefined : { only: m.committed!.version, hidden: 0 },
      ]),
    );
  }

  function validate(documents: Document[]) {
    if (!Array.isArray(documents)) throw new ValidationError("documents must be an array");
    const seen = new Set<string>();
    for (const d of documents) {
      if (!d || typeof d.id !== "string" || d.id.length === 0)
        throw new ValidationError("every document needs a non-empty string id");
      if (typeof d.text !== "string") throw new ValidationError(`document "${d.id}" has no text`);
      if (d.metadata != null && (typeof d.metadata !== "object" || Array.isArray(d.metadata)))
        throw new ValidationError(`document "${d.id}" has metadata that is not an object`);
      if (seen.has(d.id)) throw new ValidationError(`duplicate document id "${d.id}" in one add() call`);
      seen.add(d.id);
    }
  }

  return {
    async add(documents, options = {}) {
      validate(documents);
      checkAborted(options.signal);
      const prepared = documents.map(prepare);
      const totals: Totals = {
        chunks: 0,
        written: [],
        unchanged: [],
        done: 0,
        total: prepared.reduce((n, p) => n + p.chunks.length, 0),
      };
      for (let i = 0; i < prepared.length; i += o.documentBatchSize) {
        const group = prepared.slice(i, i + o.documentBatchSize);
        try {
          await lock.run(
            group.map((p) => p.id),
            () => addGroup(group, options, totals),
          );
        } catch (error) {
          const settled = new Set([...totals.written, ...totals.unchanged]);
          const failed = prepared
            .slice(i)
            .map((p) => p.id)
            .filter((id) => !settled.has(id));
          const ingest = new IngestError(
            `ingest stopped with ${totals.written.length} of ${prepared.length} documents written: ${errorMessage(error)}`,
            { written: totals.written, unchanged: totals.unchanged, failed, cause: error },
          );
          if (options.signal?.aborted) throw abortError(options.signal, ingest);
          throw ingest;
        }
      }
      return { chunks: totals.chunks, written: totals.written, unchanged: totals.unchanged };
    },

    async delete(ids, options = {}) {
      if (!Array.isArray(ids) || ids.some((id) => typeof id !== "string" || id.length === 0))
        throw new ValidationError("ids must be an array of non-empty strings");
      const { signal } = options;
      checkAborted(signal);
      const unique = [...new Set(ids)];
      try {
        for (let i = 0; i < unique.length; i += INTERNAL_BATCH) {
          const part = unique.slice(i, i + INTERNAL_BATCH);
          await lock.run(part, async () => {
            const manifests = await o.manifests.getMany(part, { signal });
            visibility.update(
              manifests.map((m) => [m.sourceId, { only: null, hidden: m.committed?.chunkIds.length ?? 0 }]),
            );
            o.changed();
            await visibility.drain();
            await protocol.retire(manifests, {
              signal,
              remove: async (retired) => {
                const filter = F.in("parentId", part);
                if (store.deleteWhere) await store.deleteWhere(filter, { signal });
                else
                  await removeStored(
                    retired.flatMap((m) => m.garbage.chunkIds),
                    signal,
                  );
                await lexical?.deleteWhere(filter, { signal });
              },
            });
            visibility.update(
              part.map((id) => [id, store.deleteWhere ? undefined : { only: null, hidden: 0 }]),
            );
          });
        }
      } catch (error) {
        if (signal?.aborted && !(error instanceof AbortError)) throw abortError(signal, error);
        throw error;
      }
    },

    async repair(options = {}) {
      const ids: string[] = [];
      for await (const id of o.manifests.sourceIds(options)) ids.push(id);
      let repaired = 0;
      for (let i = 0; i < ids.length; i += o.documentBatchSize) {
        const part = ids.slice(i, i + o.documentBatchSize);
        await lock.run(part, async () => {
          const dirty = (await o.manifests.getMany(part, options)).filter(isDirty);
          await protocol.recover(dirty, options);
          repaired += dirty.length;
        });
      }
      return repaired;
    },
  };
}
