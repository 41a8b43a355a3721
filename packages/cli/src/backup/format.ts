import { createHash } from "node:crypto";
import type { Metadata } from "@ragloom/core";

/** `manifest.json` of a backup. */
export interface BackupManifest {
  format: "ragloom-backup";
  version: 1;
  /** ISO time the backup started. */
  createdAt: string;
  /**
   * ISO time the snapshot is consistent as of: the start of its last, quiet verification pass.
   * Every write acknowledged before this time is in the backup.
   */
  consistentAsOf: string;
  consistency: {
    /** Full reads of the collection (the first copies, the others verify). */
    passes: number;
    /** Whether the last pass found no change (false: writes never stopped; see `consistentAsOf`). */
    quiet: boolean;
  };
  source: { store: string; collection: string; url?: string };
  model: { id: string; dtype?: string; dimensions: number };
  counts: {
    /** Stored records (chunks). */
    records: number;
    /** Distinct source documents (`metadata.parentId`, else the record id). */
    documents: number;
  };
  /** SHA-256 over every record's id, text and canonical metadata, in id order. */
  contentDigest: string;
  /** Every file of the backup with its size in bytes and SHA-256. */
  files: Record<string, { bytes: number; sha256: string }>;
  /** SHA-256 over the file list (`name sha256` lines, sorted) and `contentDigest`. */
  checksum: string;
}

export const MANIFEST = "manifest.json";
export const RECORDS = "records.jsonl";
export const VECTORS = "vectors.f32";
export const CATALOG = "catalog.json";
/** The BM25 index of the records (`BM25Index.serialize`), built from the snapshot itself. */
export const LEXICAL = "bm25.bin";

/** Metadata with its keys sorted (recursively for nothing: metadata is flat), as JSON. */
export function canonicalMetadata(metadata: Metadata | undefined): string {
  const m = metadata ?? {};
  return JSON.stringify(
    Object.fromEntries(
      Object.keys(m)
        .sort()
        .map((k) => [k, m[k]]),
    ),
  );
}

/** SHA-256 of a record's id, text and canonical metadata. */
export function recordDigest(id: string, text: string, metadata: Metadata | undefined): string {
  return createHash("sha256")
    .update(JSON.stringify([id, text]))
    .update(canonicalMetadata(metadata))
    .digest("hex");
}

/** SHA-256 over `id digest` lines in id order. */
export function contentDigestOf(digests: Map<string, string>): string {
  const h = createHash("sha256");
  for (const id of [...digests.keys()].sort()) h.update(`${id}\t${digests.get(id)}\n`);
  return h.digest("hex");
}

/** The manifest checksum: over the sorted `name sha256` lines and the content digest. */
export function manifestChecksum(files: BackupManifest["files"], contentDigest: string): string {
  const h = createHash("sha256");
  for (const name of Object.keys(files).sort()) h.update(`${name} ${files[name]!.sha256}\n`);
  return h.update(contentDigest).digest("hex");
}

/** `20261201T212233123Z` for a date. */
export function timestampOf(date: Date): string {
  return date.toISOString().replace(/[-:.]/g, "");
}
