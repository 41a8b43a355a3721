import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { createWriteStream, existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BM25Index, type BM25Options, ValidationError, type VectorStore } from "@ragloom/core";
import { hashFile, verifyBackupDir } from "./files.js";
import {
  type BackupManifest,
  contentDigestOf,
  LEXICAL,
  MANIFEST,
  manifestChecksum,
  RECORDS,
  timestampOf,
  VECTORS,
} from "./format.js";
import { applyRetention, removeStaleTemporaries } from "./retention.js";
import { readSnapshot, type SnapshotOptions } from "./snapshot.js";

/** Options of {@link createBackup}. */
export interface CreateBackupOptions extends SnapshotOptions {
  /** Folder that holds the backups (created if missing). */
  out: string;
  /** Names the backup `<collection>-<UTC timestamp>` and scopes retention. */
  collection: string;
  /** Model that made the vectors (recorded, checked on restore). */
  model: { id: string; dtype?: string };
  /** Where the data came from (recorded). */
  source?: { url?: string };
  /** Keep this many newest backups of the collection; older ones are deleted after the new one is verified. @default keep all */
  keep?: number;
  /** Write one `.tar.gz` archive instead of a folder. @default false */
  archive?: boolean;
  /**
   * Also store a BM25 index of the snapshot's records (`bm25.bin`, built from the snapshot, so it
   * matches the records exactly), with these options. `false` leaves it out (restore rebuilds it).
   * @default true (the default BM25 options)
   */
  lexical?: boolean | BM25Options;
  /** Extra JSON files to include (e.g. the CLI's `catalog.json`), by name. */
  extras?: Record<string, unknown>;
}

/** What {@link createBackup} wrote. */
export interface BackupResult {
  path: string;
  manifest: BackupManifest;
  /** Backups deleted by retention. */
  removed: string[];
  /** Bytes of the backup (folder contents or archive). */
  bytes: number;
}

/**
 * Writes a verified snapshot of a collection: `records.jsonl` (id, text, metadata per line),
 * `vectors.f32` (little-endian float32 rows in the same order), `bm25.bin` (the BM25 index of
 * those records), optional extras and
 * `manifest.json` (counts, model, dimensions, per-file SHA-256, content digest, checksum).
 *
 * Everything is written under a temporary `.tmp-*` name in `out`, re-read and verified, and only
 * then renamed to `<collection>-<timestamp>` (or `.tar.gz`): an interrupted backup never looks
 * like a finished one, and retention deletes the oldest backups only after the new one is verified.
 * See {@link readSnapshot} for the consistency of a live collection.
 * @throws ValidationError for a bad `keep`; BackupVerificationError when the written files do not
 *   verify; the store's and file system's errors (previous backups are untouched then).
 */
export async function createBackup(store: VectorStore, options: CreateBackupOptions): Promise<BackupResult> {
  if (options.keep !== undefined && !(Number.isInteger(options.keep) && options.keep >= 1))
    throw new ValidationError(`--keep must be a positive integer, got ${options.keep}`);
  const createdAt = new Date();
  await mkdir(options.out, { recursive: true });
  await removeStaleTemporaries(options.out, options.collection, 60 * 60 * 1000);
  let name = `${options.collection}-${timestampOf(createdAt)}`;
  for (let i = 1; existsSync(join(options.out, name)) || existsSync(join(options.out, `${name}.tar.gz`)); i++)
    name = `${options.collection}-${timestampOf(createdAt)}-${i}`;
  const tmp = join(options.out, `.tmp-${name}-${randomBytes(4).toString("hex")}`);
  await mkdir(tmp);
  try {
    const snapshot = await readSnapshot(store, options);
    const dimensions = snapshotDimensions(store, snapshot.records);
    const records = [...snapshot.records.values()];
    const recordsOut = createWriteStream(join(tmp, RECORDS));
    const vectorsOut = createWriteStream(join(tmp, VECTORS));
    const digests = new Map<string, string>();
    const parents = new Set<string>();
    for (const r of records) {
      if (r.vector.length !== dimensions)
        throw new ValidationError(`record ${r.id} has ${r.vector.length} dimensions, expected ${dimensions}`);
      digests.set(r.id, r.digest);
      parents.add(typeof r.metadata.parentId === "string" ? r.metadata.parentId : r.id);
      if (!recordsOut.write(`${JSON.stringify({ id: r.id, text: r.text, metadata: r.metadata })}\n`))
        await once(recordsOut, "drain");
      const bytes = Buffer.from(r.vector.buffer, r.vector.byteOffset, r.vector.byteLength);
      if (!vectorsOut.write(Buffer.from(bytes))) await once(vectorsOut, "drain");
    }
    await Promise.all([closeStream(recordsOut), closeStream(vectorsOut)]);
    if (options.lexical !== false) {
      const lexical = new BM25Index(
        options.lexical === true || options.lexical === undefined ? {} : options.lexical,
      );
      lexical.add(records);
      await writeFile(join(tmp, LEXICAL), lexical.serialize());
    }
    for (const [file, value] of Object.entries(options.extras ?? {}))
      await writeFile(join(tmp, file), JSON.stringify(value));
    const files: BackupManifest["files"] = {};
    for (const file of (await readdir(tmp)).sort()) files[file] = await hashFile(join(tmp, file));
    const contentDigest = contentDigestOf(digests);
    const manifest: BackupManifest = {
      format: "ragloom-backup",
      version: 1,
      createdAt: createdAt.toISOString(),
      consistentAsOf: snapshot.consistentAsOf.toISOString(),
      consistency: { passes: snapshot.passes, quiet: snapshot.quiet },
      source: {
        store: store.kind,
        collection: options.collection,
        ...(options.source?.url ? { url: options.source.url } : {}),
      },
      model: {
        id: options.model.id,
        ...(options.model.dtype ? { dtype: options.model.dtype } : {}),
        dimensions,
      },
      counts: { records: records.length, documents: parents.size },
      contentDigest,
      files,
      checksum: manifestChecksum(files, contentDigest),
    };
    await writeFile(join(tmp, MANIFEST), JSON.stringify(manifest, null, 2));
    await verifyBackupDir(tmp);
    let path = join(options.out, name);
    let bytes = Object.values(files).reduce((s, f) => s + f.bytes, 0);
    if (options.archive) {
      path = `${path}.tar.gz`;
      bytes = await writeVerifiedArchive(tmp, path);
      await rm(tmp, { recursive: true, force: true });
    } else {
      await rename(tmp, path);
    }
    const removed = options.keep ? await applyRetention(options.out, options.collection, options.keep) : [];
    return { path, manifest, removed, bytes };
  } catch (error) {
    await rm(tmp, { recursive: true, force: true }).catch(() => {});
    throw error;
  }
}

function snapshotDimensions(store: VectorStore, records: Map<string, { vector: Float32Array }>): number {
  const declared = (store as { dimensions?: unknown }).dimensions;
  if (typeof declared === "number") return declared;
  const first = records.values().next().value;
  if (!first) throw new ValidationError("cannot tell the dimensions of an empty store");
  return first.vector.length;
}

async function closeStream(stream: ReturnType<typeof createWriteStream>) {
  stream.end();
  await once(stream, "finish");
}

/** Packs a verified folder into a gzipped tar next to `path`, extracts and verifies it, renames it to `path`. */
async function writeVerifiedArchive(dir: string, path: string): Promise<number> {
  const tar = await import("tar");
  const partial = `${path}.partial`;
  await tar.create({ gzip: true, file: partial, cwd: dir, portable: true }, await readdir(dir));
  const check = await mkdtemp(join(tmpdir(), "ragloom-verify-"));
  try {
    await tar.extract({ file: partial, cwd: check });
    await verifyBackupDir(check);
  } finally {
    await rm(check, { recursive: true, force: true });
  }
  const { size } = await import("node:fs/promises").then((fs) => fs.stat(partial));
  await rename(partial, path);
  return size;
}
