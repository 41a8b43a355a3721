import { createHash } from "node:crypto";
import type { Document } from "../types/document.js";

/**
 * Chunk ids of one version of a source document, by group: one group (`chunkIds`) for
 * `createRetriever`, two (`parentIds`, `childIds`) for a parent-document index whose chunks live
 * in two stores.
 */
export type ChunkIdGroups<G extends string = "chunkIds"> = { [K in G]: string[] };

/** The chunk ids of one indexed version of a source document. */
export type ManifestEntry<G extends string = "chunkIds"> = {
  /** Content version, e.g. from {@link contentVersion}. */
  version: string;
} & ChunkIdGroups<G>;

/**
 * The write-ahead record kept per source document. It is written before any chunk and lists
 * every chunk id a write may leave behind, so a failed or interrupted write never leaves chunks
 * nobody knows about:
 * - `committed`: the version readers should see (null: none);
 * - `pending`: a version being written (or whose write failed and was not rolled back yet);
 * - `garbage`: ids of a replaced or deleted version still to be removed.
 */
export interface Manifest<G extends string = "chunkIds"> {
  sourceId: string;
  committed: ManifestEntry<G> | null;
  pending: ManifestEntry<G> | null;
  garbage: ChunkIdGroups<G>;
}

/** Empty id lists for each group. */
export function emptyGroups<G extends string>(groups: readonly G[]): ChunkIdGroups<G> {
  return Object.fromEntries(groups.map((g) => [g, [] as string[]])) as ChunkIdGroups<G>;
}

/** A manifest with nothing committed, pending or to collect. */
export function emptyManifest<G extends string>(sourceId: string, groups: readonly G[]): Manifest<G> {
  return { sourceId, committed: null, pending: null, garbage: emptyGroups(groups) };
}

/** Whether a manifest records work left unfinished by a failed or interrupted write. */
export function isDirty<G extends string>(manifest: Manifest<G>): boolean {
  return (
    manifest.pending !== null ||
    Object.values<string[]>(manifest.garbage as Record<string, string[]>).some((ids) => ids.length > 0)
  );
}

/** Whether a manifest holds anything at all (a store may drop one that does not). */
export function isLive<G extends string>(manifest: Manifest<G>): boolean {
  return manifest.committed !== null || isDirty(manifest);
}

/**
 * Stable SHA-256 (first 16 hex digits) of a document's text, its metadata (key order ignored)
 * and a `fingerprint` of whatever else decides its chunks (splitter settings, model id, ...).
 * Two calls agree exactly when all three are equal, in any process.
 */
export function contentVersion(document: Document, fingerprint: string): string {
  const metadata = Object.keys(document.metadata ?? {})
    .sort()
    .map((k) => [k, document.metadata[k]]);
  return createHash("sha256")
    .update(JSON.stringify([fingerprint, document.text, metadata]))
    .digest("hex")
    .slice(0, 16);
}
