import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  BM25Index,
  DimensionMismatchError,
  throwIfAborted,
  ValidationError,
  type VectorStore,
} from "@ragloom/core";
import { BackupVerificationError } from "../exit-codes.js";
import { readBackupRecords, verifyBackupDir } from "./files.js";
import { type BackupManifest, contentDigestOf, LEXICAL, recordDigest } from "./format.js";

/** A backup opened for reading: its verified folder and manifest. */
export interface OpenedBackup {
  dir: string;
  manifest: BackupManifest;
  /** Removes the temporary folder of an extracted archive. */
  close(): Promise<void>;
}

/**
 * Opens a backup folder or `.tar.gz` archive and verifies it (see `verifyBackupDir`).
 * @throws BackupVerificationError when it does not verify.
 */
export async function openBackup(path: string): Promise<OpenedBackup> {
  if (!path.endsWith(".tar.gz") && !path.endsWith(".tgz")) {
    return { dir: path, manifest: await verifyBackupDir(path), close: async () => {} };
  }
  const tar = await import("tar");
  const dir = await mkdtemp(join(tmpdir(), "ragloom-restore-"));
  try {
    await tar.extract({ file: path, cwd: dir });
    return {
      dir,
      manifest: await verifyBackupDir(dir),
      close: () => rm(dir, { recursive: true, force: true }),
    };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    if (error instanceof BackupVerificationError) throw error;
    throw new BackupVerificationError(
      `${path} is not a readable backup archive: ${(error as Error).message}`,
    );
  }
}

/** Options of {@link restoreBackup}. */
export interface RestoreOptions {
  /** Records per upsert. @default 500 */
  batchSize?: number;
  signal?: AbortSignal;
  onProgress?: (p: { done: number; total: number }) => void;
}

/**
 * Loads a verified backup into an empty store of any kind (in-memory, Chroma), with its BM25
 * index (`bm25.bin`, or rebuilt from the records when the backup has none), then verifies the result: the store's count and its
 * content digest (ids, texts, metadata read back through `scan`) must equal the manifest's.
 * @returns the BM25 index of the restored records.
 * @throws ValidationError when the store is not empty; DimensionMismatchError when its dimensions
 *   differ; BackupVerificationError when the restored collection does not match the manifest.
 */
export async function restoreBackup(
  backup: OpenedBackup,
  store: VectorStore,
  options: RestoreOptions = {},
): Promise<{ records: number; lexical: BM25Index }> {
  const { manifest, dir } = backup;
  const declared = (store as { dimensions?: unknown }).dimensions;
  if (typeof declared === "number" && declared !== manifest.model.dimensions)
    throw new DimensionMismatchError(declared, manifest.model.dimensions, "backup vectors");
  const existing = await store.count({ signal: options.signal });
  if (existing > 0)
    throw new ValidationError(
      `the target ${store.kind} collection is not empty (${existing} records): restore into an empty one`,
    );
  const savedLexical = existsSync(join(dir, LEXICAL))
    ? BM25Index.deserialize(await readFile(join(dir, LEXICAL)), {}, join(dir, LEXICAL))
    : undefined;
  if (savedLexical && savedLexical.size !== manifest.counts.records)
    throw new BackupVerificationError(
      `${LEXICAL} holds ${savedLexical.size} records, the backup ${manifest.counts.records}`,
    );
  const lexical = savedLexical ?? new BM25Index();
  const total = manifest.counts.records;
  let done = 0;
  for await (const batch of readBackupRecords(dir, manifest, options.batchSize ?? 500)) {
    throwIfAborted(options.signal);
    await store.upsert(batch, { signal: options.signal });
    if (!savedLexical) lexical.add(batch);
    done += batch.length;
    options.onProgress?.({ done, total });
  }
  const count = await store.count({ signal: options.signal });
  if (count !== total)
    throw new BackupVerificationError(`restored ${count} records, the backup holds ${total}`);
  if (store.scan) {
    const digests = new Map<string, string>();
    for await (const page of store.scan({ pageSize: 1000, signal: options.signal }))
      for (const d of page) digests.set(d.id, recordDigest(d.id, d.text, d.metadata));
    if (contentDigestOf(digests) !== manifest.contentDigest)
      throw new BackupVerificationError(
        "the restored records differ from the backup (content digest mismatch)",
      );
  }
  return { records: count, lexical };
}
