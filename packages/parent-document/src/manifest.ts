import {
  type CallOptions,
  type Manifest as CoreManifest,
  type ManifestEntry as CoreManifestEntry,
  type ManifestStore as CoreManifestStore,
  contentVersion,
  emptyManifest as emptyCoreManifest,
  isDirty,
  isLive,
} from "@ragloom/core";
import type { DocStore } from "./docstores/types.js";

export { contentVersion, isDirty };

/** The chunk-id groups of a parent-document manifest: parents (docstore) and leaf children (vector store). */
export type ParentDocumentGroups = "parentIds" | "childIds";

/** The groups of {@link ParentDocumentGroups}, in the order they are written. */
export const MANIFEST_GROUPS: readonly ParentDocumentGroups[] = ["parentIds", "childIds"];

/**
 * The chunk ids of one indexed version of a source document: `version` (a hash of the text,
 * metadata and splitter fingerprint), `parentIds` (all levels but the leaves, in the docstore)
 * and `childIds` (the leaves, with vectors, in the vector store).
 */
export type ManifestEntry = CoreManifestEntry<ParentDocumentGroups>;

/**
 * The record a parent-document retriever keeps per source document, in the docstore under
 * `${manifestPrefix}${sourceId}`: `@ragloom/core`'s write-ahead manifest (`committed`,
 * `pending`, `garbage`) with parent and child id groups. It is written before any chunk and is
 * the only way chunks are found again, so no write can leave chunks nobody knows about.
 */
export type Manifest = CoreManifest<ParentDocumentGroups>;

/** Metadata `kind` of a manifest document in the docstore. */
export const MANIFEST_KIND = "ragloom-parent-document-manifest";

/** A manifest with nothing committed, pending or in garbage. */
export function emptyManifest(sourceId: string): Manifest {
  return emptyCoreManifest(sourceId, MANIFEST_GROUPS);
}

/**
 * Reads and writes manifests in a docstore (one JSON document per source, under `prefix`): the
 * docstore-backed implementation of `@ragloom/core`'s `ManifestStore`.
 */
export class ManifestStore implements CoreManifestStore<ParentDocumentGroups> {
  constructor(
    private readonly docStore: DocStore,
    readonly prefix: string,
  ) {}

  key(sourceId: string): string {
    return `${this.prefix}${sourceId}`;
  }

  async getMany(sourceIds: string[], options?: CallOptions): Promise<Manifest[]> {
    const docs = await this.docStore.mget(
      sourceIds.map((id) => this.key(id)),
      options,
    );
    return docs.map((d, i) => (d ? (JSON.parse(d.text) as Manifest) : emptyManifest(sourceIds[i]!)));
  }

  /** Writes manifests; one with nothing committed, pending or in garbage is deleted instead. */
  async putMany(manifests: Manifest[], options?: CallOptions): Promise<void> {
    const keep = manifests.filter(isLive);
    const drop = manifests.filter((m) => !isLive(m));
    if (keep.length) {
      await this.docStore.mset(
        keep.map((m) => ({
          id: this.key(m.sourceId),
          text: JSON.stringify(m),
          metadata: { kind: MANIFEST_KIND },
        })),
        options,
      );
    }
    if (drop.length)
      await this.docStore.mdelete(
        drop.map((m) => this.key(m.sourceId)),
        options,
      );
  }

  /** Source ids of every manifest in the docstore. */
  async *sourceIds(): AsyncIterable<string> {
    for await (const key of this.docStore.keys({ prefix: this.prefix })) yield key.slice(this.prefix.length);
  }
}
