import type { CallOptions } from "../types/embedder.js";
import { type ChunkIdGroups, emptyGroups, isDirty, type Manifest, type ManifestEntry } from "./manifest.js";
import type { ManifestStore } from "./manifest-store.js";

/** One source document's write: its manifest before the write and the version being written. */
export interface VersionedWrite<G extends string = "chunkIds"> {
  manifest: Manifest<G>;
  entry: ManifestEntry<G>;
}

/** What a {@link WriteProtocol} needs from the index it keeps consistent. */
export interface WriteProtocolOptions<G extends string = "chunkIds"> {
  manifests: ManifestStore<G>;
  /** The chunk-id groups of a manifest entry. */
  groups: readonly G[];
  /**
   * Deletes chunks by id from wherever they live (unknown ids are ignored). Used by rollbacks,
   * recovery and garbage collection.
   */
  remove(ids: ChunkIdGroups<G>, options?: CallOptions): Promise<void>;
  /** Told when a rollback fails too; the manifests then still list the pending chunks. */
  warn(message: string): void;
}

/** Callbacks of {@link WriteProtocol.write}, run at the protocol's steps. */
export interface WriteHooks {
  /** After the write-ahead manifests are stored, before any chunk is written. */
  onPending?(): void | Promise<void>;
  /** Right after the commit is stored: the new versions are now the documents' versions. */
  onCommit?(): void;
  /** After a failed write was compensated; `rolledBack` is false when the rollback failed too. */
  onRollback?(rolledBack: boolean): void;
}

/** Options of {@link WriteProtocol.collect} and {@link WriteProtocol.retire}. */
export interface RemoveOptions<G extends string> extends CallOptions {
  /**
   * Removes the replaced or deleted chunks of these manifests instead of deleting their listed
   * garbage ids (e.g. by a store filter that also finds chunks another process wrote).
   */
  remove?(manifests: Manifest<G>[], options?: CallOptions): Promise<void>;
}

/**
 * The write-ahead protocol that keeps a chunked index consistent under failures:
 *
 * 1. write-ahead: each source's manifest records the new version's chunk ids as `pending`
 *    before any chunk is written ({@link WriteProtocol.write});
 * 2. the caller writes the chunks, under ids that embed the version, so the old version is
 *    never overwritten;
 * 3. commit: the manifest makes the new version `committed` and lists the replaced version's
 *    ids as `garbage`;
 * 4. garbage collection removes them and cleans the manifest ({@link WriteProtocol.collect}).
 *
 * A failure in steps 1-3 is compensated: the chunks only the pending version has are removed and
 * the manifest restored, then the error is rethrown. If that rollback fails too, the manifest
 * still lists the pending ids, and the next write of the document ({@link WriteProtocol.load}),
 * a delete ({@link WriteProtocol.retire}) or {@link WriteProtocol.repair} removes them.
 */
export interface WriteProtocol<G extends string = "chunkIds"> {
  readonly manifests: ManifestStore<G>;
  /** Reads manifests, first finishing what failed writes left (see {@link WriteProtocol.recover}). */
  load(sourceIds: string[], options?: CallOptions): Promise<Manifest<G>[]>;
  /** Removes the pending and garbage chunks of dirty manifests (never a committed one), cleans them. */
  recover(dirty: Manifest<G>[], options?: CallOptions): Promise<void>;
  /**
   * Steps 1-3 around `writeChunks`; returns the committed manifests (with their garbage).
   * @throws whatever a step throws, after compensating.
   */
  write(
    work: VersionedWrite<G>[],
    writeChunks: () => Promise<void>,
    options?: CallOptions & WriteHooks,
  ): Promise<Manifest<G>[]>;
  /** Commits versions whose chunks are already stored (nothing is written, nothing rolled back). */
  adopt(work: VersionedWrite<G>[], options?: CallOptions): Promise<Manifest<G>[]>;
  /** Step 4: removes the garbage of committed manifests and cleans them. */
  collect(committed: Manifest<G>[], options?: RemoveOptions<G>): Promise<void>;
  /** Deletes sources: records every known id as garbage first, removes them, drops the manifests. */
  retire(manifests: Manifest<G>[], options?: RemoveOptions<G>): Promise<void>;
  /** Recovers every dirty manifest of the store, `batchSize` at a time; returns how many. */
  repair(batchSize: number, options?: CallOptions): Promise<number>;
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** Creates the {@link WriteProtocol} of one index. */
export function createWriteProtocol<G extends string = "chunkIds">(
  options: WriteProtocolOptions<G>,
): WriteProtocol<G> {
  const { manifests, groups, remove, warn } = options;

  /** Per group: the union of `add` minus the union of `keep`. */
  const ids = (
    add: Array<Partial<ChunkIdGroups<G>> | null>,
    keep: Array<Partial<ChunkIdGroups<G>> | null>,
  ) => {
    const out = emptyGroups(groups);
    for (const g of groups) {
      const drop = new Set(keep.flatMap((x) => x?.[g] ?? []));
      out[g] = [...new Set(add.flatMap((x) => x?.[g] ?? []))].filter((id) => !drop.has(id));
    }
    return out;
  };
  const any = (x: ChunkIdGroups<G>) => groups.some((g) => x[g].length > 0);
  const cleaned = (m: Manifest<G>): Manifest<G> => ({ ...m, pending: null, garbage: emptyGroups(groups) });
  const committedWith = (m: Manifest<G>, entry: ManifestEntry<G>): Manifest<G> => ({
    ...m,
    committed: entry,
    pending: null,
    garbage: ids([m.committed], [entry]),
  });

  async function recover(dirty: Manifest<G>[], callOptions: CallOptions = {}) {
    if (dirty.length === 0) return;
    const keep = dirty.map((m) => m.committed);
    await remove(ids([...dirty.map((m) => m.pending), ...dirty.map((m) => m.garbage)], keep), callOptions);
    await manifests.putMany(dirty.map(cleaned), callOptions);
  }

  /** Rolls a failed write back; false when that failed too. */
  async function compensate(work: VersionedWrite<G>[], cause: unknown): Promise<boolean> {
    try {
      await remove(
        ids(
          work.map((w) => w.entry),
          work.map((w) => w.manifest.committed),
        ),
      );
      await manifests.putMany(work.map((w) => w.manifest));
      return true;
    } catch (error) {
      warn(
        `a write failed (${message(cause)}) and rolling it back failed too (${message(error)}); ` +
          "the manifests still list the pending chunks: retry the write, delete the documents or call repair()",
      );
      return false;
    }
  }

  return {
    manifests,
    recover,
    async load(sourceIds, callOptions = {}) {
      const before = await manifests.getMany(sourceIds, callOptions);
      await recover(before.filter(isDirty), callOptions);
      return before.map(cleaned);
    },

    async write(work, writeChunks, hooks = {}) {
      const { signal } = hooks;
      try {
        await manifests.putMany(
          work.map((w) => ({ ...w.manifest, pending: w.entry })),
          { signal },
        );
        await hooks.onPending?.();
        await writeChunks();
        const committed = work.map((w) => committedWith(w.manifest, w.entry));
        await manifests.putMany(committed, { signal });
        hooks.onCommit?.();
        return committed;
      } catch (error) {
        const rolledBack = await compensate(work, error);
        hooks.onRollback?.(rolledBack);
        throw error;
      }
    },

    async adopt(work, callOptions = {}) {
      const committed = work.map((w) => committedWith(w.manifest, w.entry));
      if (committed.length) await manifests.putMany(committed, callOptions);
      return committed;
    },

    async collect(committed, removeOptions = {}) {
      if (removeOptions.remove) {
        await removeOptions.remove(committed);
        const dirty = committed.filter(isDirty);
        if (dirty.length) await manifests.putMany(dirty.map(cleaned));
        return;
      }
      const garbage = ids(
        committed.map((m) => m.garbage),
        committed.map((m) => m.committed),
      );
      if (!any(garbage)) return;
      await remove(garbage);
      await manifests.putMany(committed.map(cleaned));
    },

    async retire(list, removeOptions = {}) {
      const { signal } = removeOptions;
      const retired = list.map((m) => ({
        sourceId: m.sourceId,
        committed: null,
        pending: null,
        garbage: ids([m.committed, m.pending, m.garbage], []),
      }));
      await manifests.putMany(retired, { signal });
      if (removeOptions.remove) await removeOptions.remove(retired, { signal });
      else
        await remove(
          ids(
            retired.map((m) => m.garbage),
            [],
          ),
          { signal },
        );
      await manifests.putMany(retired.map(cleaned));
    },

    async repair(batchSize, callOptions = {}) {
      const all: string[] = [];
      for await (const id of manifests.sourceIds(callOptions)) all.push(id);
      let repaired = 0;
      for (let i = 0; i < all.length; i += batchSize) {
        const dirty = (await manifests.getMany(all.slice(i, i + batchSize), callOptions)).filter(isDirty);
        await recover(dirty, callOptions);
        repaired += dirty.length;
      }
      return repaired;
    },
  };
}
