import { readFile } from "node:fs/promises";
import { relative, resolve, sep } from "node:path";
import { type CallOptions, type Document, throwIfAborted } from "@ragloom/core";
import {
  type DirectoryLoaderOptions,
  type FileEntry,
  type LoaderWarning,
  listFiles,
  loadFile,
  sha256,
} from "./directory.js";
import { LoaderError } from "./errors.js";

/** What the index knows about one indexed file (by document id). */
export interface CatalogEntry {
  sha256: string;
  /** Epoch milliseconds. */
  mtime: number;
  /** Bytes. */
  size: number;
  /** The indexed directory it came from, POSIX, relative to `base`. */
  root: string;
}

/** The files an index holds, by document id. Persist it next to the index between runs. */
export type Catalog = Record<string, CatalogEntry>;

/** The part of a retriever {@link syncDirectories} writes through (`createRetriever()` fits). */
export interface IndexWriter {
  add(documents: Document[], options?: CallOptions): Promise<unknown>;
  delete(ids: string[], options?: CallOptions): Promise<void>;
}

/** Progress of {@link syncDirectories}: files embedded so far out of those that changed. */
export interface SyncProgress {
  done: number;
  total: number;
  /** Chunks written so far. */
  chunks: number;
}

/** Options of {@link syncDirectories}. */
export interface SyncOptions extends DirectoryLoaderOptions {
  /** Where documents are written: usually `createRetriever({ splitter: new StructureAwareSplitter() })`. */
  writer: IndexWriter;
  /** The catalog of the previous run. @default {} (index everything) */
  catalog?: Catalog;
  /** Files per `writer.add` call. @default 32 */
  filesPerBatch?: number;
  onProgress?: (progress: SyncProgress) => void;
}

/** What {@link syncDirectories} did. Lists hold document ids. */
export interface SyncResult {
  /** The new catalog (persist it). */
  catalog: Catalog;
  added: string[];
  changed: string[];
  unchanged: string[];
  /** Documents deleted because their file is gone, no longer selected, or now unreadable. */
  removed: string[];
  /** Files skipped, with the reason. */
  warnings: LoaderWarning[];
  /** Chunks written in this run. */
  chunks: number;
}

/** Chunks written by one `add` call: a number, or `{ chunks }`. */
const chunkCount = (r: unknown): number => {
  if (typeof r === "number") return r;
  const c = (r as { chunks?: unknown } | undefined)?.chunks;
  return typeof c === "number" ? c : 0;
};

/**
 * Incremental indexing of directories: lists each directory's files (see `listFiles`), hashes
 * them (SHA-256 of the bytes), loads and writes only the files that are new or whose hash
 * changed, and deletes the documents of files that are gone. Catalog entries of other
 * directories are left alone, so `ragloom index a` then `ragloom index b` keeps both.
 * A file that cannot be loaded is skipped with a warning naming it (an earlier version of it is
 * deleted from the index, so the index never serves stale text); nothing else is lost.
 *
 * The returned catalog reflects only writes that succeeded: if a write fails, the error is
 * thrown and the caller's previous catalog stays valid (re-running re-indexes what is missing).
 * @throws ValidationError when a directory does not exist; the writer's errors.
 */
export async function syncDirectories(roots: string[], options: SyncOptions): Promise<SyncResult> {
  const base = resolve(options.base ?? process.cwd());
  const previous = options.catalog ?? {};
  const catalog: Catalog = { ...previous };
  const result: SyncResult = {
    catalog,
    added: [],
    changed: [],
    unchanged: [],
    removed: [],
    warnings: [],
    chunks: 0,
  };
  const onWarning = (w: LoaderWarning) => {
    result.warnings.push(w);
    options.onWarning?.(w);
  };
  const pending: Array<{ entry: FileEntry; root: string; bytes: Uint8Array; hash: string }> = [];
  const seen = new Set<string>();
  const rootKeys = new Set<string>();
  for (const dir of roots) {
    const rootKey = relative(base, resolve(dir)).split(sep).join("/") || ".";
    rootKeys.add(rootKey);
    const { files } = await listFiles(dir, { ...options, base, onWarning });
    for (const entry of files) {
      throwIfAborted(options.signal);
      if (seen.has(entry.source)) continue;
      seen.add(entry.source);
      let bytes: Uint8Array;
      try {
        bytes = await readFile(entry.absolutePath);
      } catch (cause) {
        onWarning({
          path: entry.source,
          reason: "read",
          message: `${entry.source}: ${(cause as Error).message}`,
        });
        continue;
      }
      const hash = sha256(bytes);
      const old = previous[entry.source];
      if (old && old.sha256 === hash) {
        result.unchanged.push(entry.source);
        catalog[entry.source] = { ...old, mtime: entry.mtime, size: entry.size, root: rootKey };
        continue;
      }
      pending.push({ entry, root: rootKey, bytes, hash });
    }
  }
  // files that are gone (or no longer selected) under the directories synced in this run
  const gone = Object.keys(previous).filter((id) => rootKeys.has(previous[id]!.root) && !seen.has(id));
  const unreadable: string[] = [];
  const total = pending.length;
  const batchSize = Math.max(1, options.filesPerBatch ?? 32);
  let done = 0;
  options.onProgress?.({ done, total, chunks: 0 });
  for (let i = 0; i < pending.length; i += batchSize) {
    throwIfAborted(options.signal);
    const batch: Array<{ doc: Document; item: (typeof pending)[number] }> = [];
    for (const item of pending.slice(i, i + batchSize)) {
      try {
        batch.push({ doc: await loadFile(item.entry, options, item.bytes), item });
      } catch (error) {
        if (!(error instanceof LoaderError)) throw error;
        onWarning({ path: error.path, message: error.message, reason: error.reason });
        if (previous[item.entry.source]) unreadable.push(item.entry.source);
      }
    }
    if (batch.length > 0) {
      const written = await options.writer.add(
        batch.map((b) => b.doc),
        { signal: options.signal },
      );
      result.chunks += chunkCount(written);
      for (const { doc, item } of batch) {
        const id = doc.id;
        (previous[id] ? result.changed : result.added).push(id);
        catalog[id] = {
          sha256: item.hash,
          mtime: item.entry.mtime,
          size: item.entry.size,
          root: item.root,
        };
      }
    }
    done += Math.min(batchSize, pending.length - i);
    options.onProgress?.({ done, total, chunks: result.chunks });
  }
  const toDelete = [...gone, ...unreadable];
  if (toDelete.length > 0) {
    await options.writer.delete(toDelete, { signal: options.signal });
    for (const id of toDelete) delete catalog[id];
    result.removed.push(...toDelete);
  }
  return result;
}
