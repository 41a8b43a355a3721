import { createHash } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import { basename, extname, isAbsolute, relative, resolve, sep } from "node:path";
import { type Document, throwIfAborted, ValidationError } from "@ragloom/core";
import { glob } from "tinyglobby";
import { LoaderError } from "./errors.js";
import { gitignoreFilter } from "./gitignore.js";
import { defaultLoaders, loaderFor } from "./loaders.js";
import type { FileLoader } from "./types.js";

/** Files a directory loader picks up by default. */
export const DEFAULT_INCLUDE = ["**/*.{md,markdown,mdx,html,htm,xhtml,pdf,txt,text,rst}"];
/** Always excluded: dependency, VCS and index folders. */
export const ALWAYS_EXCLUDE = ["**/node_modules/**", "**/.git/**", "**/.ragloom/**"];
/** Largest file loaded by default: 10 MiB. */
export const DEFAULT_MAX_FILE_SIZE = 10 * 1024 * 1024;

/** A file skipped with the reason; `path` names it. */
export interface LoaderWarning {
  path: string;
  message: string;
  reason: LoaderError["reason"];
}

/** Options of {@link listFiles} and {@link loadDirectory}. */
export interface DirectoryLoaderOptions {
  /** Globs (picomatch syntax, relative to the directory) of files to load. @default {@link DEFAULT_INCLUDE} */
  include?: string[];
  /** Globs of files to leave out, added to {@link ALWAYS_EXCLUDE}. @default [] */
  exclude?: string[];
  /** Files larger than this many bytes are skipped (with a warning) without being read. @default 10 MiB */
  maxFileSize?: number;
  /** Leave out what the directory's `.gitignore` files (at any depth) ignore. @default true */
  gitignore?: boolean;
  /** Parsers by extension. @default {@link defaultLoaders} */
  loaders?: readonly FileLoader[];
  /**
   * Document ids and `source` are file paths relative to this folder, in POSIX form, so they stay
   * stable whatever the directory is called on the command line. @default process.cwd()
   */
  base?: string;
  /** Receives every skipped file. @default none (warnings are still returned) */
  onWarning?: (warning: LoaderWarning) => void;
  signal?: AbortSignal;
}

/** A file found by {@link listFiles}. */
export interface FileEntry {
  absolutePath: string;
  /** POSIX path relative to the directory that was listed. */
  path: string;
  /** POSIX path relative to `base`: the document id. */
  source: string;
  /** Bytes. */
  size: number;
  /** Last modification, epoch milliseconds. */
  mtime: number;
}

const posix = (p: string) => p.split(sep).join("/");

/**
 * Lists the loadable files of a directory, sorted by path: matching `include`, not `exclude`d,
 * not git-ignored, with a loader for their extension. Files over `maxFileSize` come back in
 * `skipped` (never read). Symbolic links are not followed.
 * @throws ValidationError when `dir` is not a directory or options are bad.
 */
export async function listFiles(
  dir: string,
  options: DirectoryLoaderOptions = {},
): Promise<{ files: FileEntry[]; skipped: LoaderWarning[] }> {
  const root = resolve(dir);
  const base = resolve(options.base ?? process.cwd());
  const maxFileSize = options.maxFileSize ?? DEFAULT_MAX_FILE_SIZE;
  if (!(maxFileSize > 0))
    throw new ValidationError(`maxFileSize must be a positive number of bytes, got ${maxFileSize}`);
  const info = await stat(root).catch(() => undefined);
  if (!info?.isDirectory()) throw new ValidationError(`${dir} is not a directory`);
  const loaders = options.loaders ?? defaultLoaders;
  const exclude = [...ALWAYS_EXCLUDE, ...(options.exclude ?? [])];
  const found = await glob(options.include ?? DEFAULT_INCLUDE, {
    cwd: root,
    ignore: exclude,
    onlyFiles: true,
    dot: false,
    followSymbolicLinks: false,
    expandDirectories: false,
  });
  const ignored = options.gitignore === false ? () => false : await gitignoreFilter(root, exclude);
  const files: FileEntry[] = [];
  const skipped: LoaderWarning[] = [];
  for (const rel of found.sort()) {
    throwIfAborted(options.signal);
    if (ignored(rel) || !loaderFor(rel, loaders)) continue;
    const absolutePath = resolve(root, rel);
    const s = await stat(absolutePath).catch(() => undefined);
    if (!s?.isFile()) continue;
    const source = posix(
      isAbsolute(relative(base, absolutePath)) ? absolutePath : relative(base, absolutePath),
    );
    if (s.size > maxFileSize) {
      warn(
        options,
        skipped,
        new LoaderError(source, "too-large", `${s.size} bytes, over the ${maxFileSize}-byte limit`),
      );
      continue;
    }
    files.push({ absolutePath, path: posix(rel), source, size: s.size, mtime: Math.round(s.mtimeMs) });
  }
  return { files, skipped };
}

function warn(options: DirectoryLoaderOptions, into: LoaderWarning[], error: LoaderError) {
  const w: LoaderWarning = { path: error.path, message: error.message, reason: error.reason };
  into.push(w);
  options.onWarning?.(w);
}

/** The SHA-256 of some bytes, lower-case hex. */
export function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/**
 * Reads and parses one listed file into a document with id `entry.source` and metadata
 * `{ source, path, title, mtime, sha256, format, size }` plus what its loader found (front
 * matter keys, `headings`, `pages`, …). The title falls back to the file name without extension.
 * @param bytes - the file's content when already read (it is read otherwise).
 * @throws LoaderError when the file cannot be read or parsed.
 */
export async function loadFile(
  entry: FileEntry,
  options: Pick<DirectoryLoaderOptions, "loaders"> = {},
  bytes?: Uint8Array,
): Promise<Document> {
  const loader = loaderFor(entry.path, options.loaders ?? defaultLoaders);
  if (!loader)
    throw new LoaderError(
      entry.source,
      "unsupported",
      `no loader for ${extname(entry.path) || "files without an extension"}`,
    );
  let data = bytes;
  if (!data) {
    try {
      data = await readFile(entry.absolutePath);
    } catch (cause) {
      throw new LoaderError(entry.source, "read", (cause as Error).message, { cause });
    }
  }
  let parsed: Awaited<ReturnType<FileLoader["parse"]>>;
  try {
    parsed = await loader.parse(data, entry.source);
  } catch (cause) {
    if (cause instanceof LoaderError) throw cause;
    throw new LoaderError(
      entry.source,
      "parse",
      `${loader.name} loader failed: ${(cause as Error).message}`,
      { cause },
    );
  }
  if (parsed.text.trim().length === 0) throw new LoaderError(entry.source, "parse", "no text");
  return {
    id: entry.source,
    text: parsed.text,
    metadata: {
      ...parsed.metadata,
      source: entry.source,
      path: entry.path,
      title: parsed.title ?? basename(entry.path, extname(entry.path)),
      mtime: entry.mtime,
      sha256: sha256(data),
      format: parsed.format,
      size: entry.size,
    },
  };
}

/**
 * Loads every file of a directory (see {@link listFiles}) into documents (see {@link loadFile}).
 * A file that cannot be loaded (too large, binary, bad encoding, corrupt) is skipped with a
 * warning naming it; the others still load.
 * @throws ValidationError when `dir` is not a directory.
 */
export async function loadDirectory(
  dir: string,
  options: DirectoryLoaderOptions = {},
): Promise<{ documents: Document[]; warnings: LoaderWarning[] }> {
  const { files, skipped } = await listFiles(dir, options);
  const documents: Document[] = [];
  for (const entry of files) {
    throwIfAborted(options.signal);
    try {
      documents.push(await loadFile(entry, options));
    } catch (error) {
      if (!(error instanceof LoaderError)) throw error;
      warn(options, skipped, error);
    }
  }
  return { documents, warnings: skipped };
}
