import type { CallOptions } from "../types/embedder.js";
import { type ChunkIdGroups, emptyManifest, isLive, type Manifest, type ManifestEntry } from "./manifest.js";

/** A copy whose id lists are new arrays (faster than `structuredClone` for this shape). */
function copyGroups<T extends object>(groups: T): T {
  const out = { ...groups } as Record<string, unknown>;
  for (const key of Object.keys(out)) if (Array.isArray(out[key])) out[key] = (out[key] as string[]).slice();
  return out as T;
}
function copy<G extends string>(m: Manifest<G>): Manifest<G> {
  return {
    sourceId: m.sourceId,
    committed: m.committed && copyGroups<ManifestEntry<G>>(m.committed),
    pending: m.pending && copyGroups<ManifestEntry<G>>(m.pending),
    garbage: copyGroups<ChunkIdGroups<G>>(m.garbage),
  };
}

/**
 * Where the write-ahead {@link Manifest}s of an index live. Implementations must make `putMany`
 * durable before it resolves (the write protocol relies on the manifest being written before the
 * chunks it lists) and may drop a manifest that holds nothing.
 */
export interface ManifestStore<G extends string = "chunkIds"> {
  /** Manifests of `sourceIds`, in order; an unknown id gets an empty manifest. */
  getMany(sourceIds: string[], options?: CallOptions): Promise<Manifest<G>[]>;
  /** Writes manifests; one with nothing committed, pending or in garbage may be deleted instead. */
  putMany(manifests: Manifest<G>[], options?: CallOptions): Promise<void>;
  /** Source ids of every stored manifest (for `repair`). */
  sourceIds(options?: CallOptions): AsyncIterable<string>;
}

/**
 * A {@link ManifestStore} in process memory: what a write knows survives the write, not the
 * process. Values are copied in and out, so callers cannot change stored manifests by accident.
 */
export class InMemoryManifestStore<G extends string = "chunkIds"> implements ManifestStore<G> {
  private readonly manifests = new Map<string, Manifest<G>>();

  /** @param groups - the chunk-id groups of an empty manifest. @default ["chunkIds"] */
  constructor(private readonly groups: readonly G[] = ["chunkIds" as G]) {}

  /** Number of stored (non-empty) manifests. */
  get size(): number {
    return this.manifests.size;
  }

  async getMany(sourceIds: string[]): Promise<Manifest<G>[]> {
    return sourceIds.map((id) => {
      const m = this.manifests.get(id);
      return m ? copy(m) : emptyManifest(id, this.groups);
    });
  }

  async putMany(manifests: Manifest<G>[]): Promise<void> {
    for (const m of manifests) {
      if (isLive(m)) this.manifests.set(m.sourceId, copy(m));
      else this.manifests.delete(m.sourceId);
    }
  }

  async *sourceIds(): AsyncIterable<string> {
    yield* [...this.manifests.keys()];
  }
}
