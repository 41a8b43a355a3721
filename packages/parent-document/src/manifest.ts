import { createHash } from "node:crypto";
import type { CallOptions, Document } from "@ragloom/core";
import type { DocStore } from "./docstores/types.js";

/** The chunk ids of one indexed version of a source document. */
export interface ManifestEntry {
  /** Content version: a hash of the text, metadata and splitter fingerprint. */
  version: string;
  /** Ids of the parent chunks (all levels but the leaves), stored in the docstore. */
  parentIds: string[];
  /** Ids of the leaf chunks, stored (with vectors) in the vector store. */
  childIds: string[];
}

/**
 * The record a parent-document retriever keeps per source document, in the docstore under
 * `${manifestPrefix}${sourceId}`. It is written before any chunk and is the only way chunks
 * are found again, so no write can leave chunks nobody knows about:
 * - `committed`: the version retrieval should see (null: none);
 * - `pending`: a version being written (or whose write failed and was not rolled back yet);
 * - `garbage`: ids of a replaced or deleted version still to be removed.
 */
export interface Manifest {
  sourceId: string;
  committed: ManifestEntry | null;
  pending: ManifestEntry | null;
  garbage: { parentIds: string[]; childIds: string[] };
}

/** Metadata `kind` of a manifest document in the docstore. */
export const MANIFEST_KIND = "ragloom-parent-document-manifest";

export function emptyManifest(sourceId: string): Manifest {
  return { sourceId, committed: null, pending: null, garbage: { parentIds: [], childIds: [] } };
}

/** Whether a manifest records work left unfinished by a failed or interrupted write. */
export function isDirty(m: Manifest): boolean {
  return m.pending !== null || m.garbage.parentIds.length > 0 || m.garbage.childIds.length > 0;
}

/** Stable SHA-256 (first 16 hex digits) of a document's text, metadata and the splitter fingerprint. */
export function contentVersion(document: Document, fingerprint: string): string {
  const metadata = Object.keys(document.metadata ?? {})
    .sort()
    .map((k) => [k, document.metadata[k]]);
  return createHash("sha256")
    .update(JSON.stringify([fingerprint, document.text, metadata]))
    .digest("hex")
    .slice(0, 16);
}

/** Reads and writes manifests in a docstore. */
export class ManifestStore {
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
    const keep = manifests.filter((m) => m.committed !== null || isDirty(m));
    const drop = manifests.filter((m) => !(m.committed !== null || isDirty(m)));
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
