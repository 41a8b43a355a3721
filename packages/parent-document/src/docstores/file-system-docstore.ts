import { createHash, randomUUID } from "node:crypto";
import { mkdir, readdir, readFile, rename, rm, unlink, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import {
  type CallOptions,
  type Document,
  ServiceError,
  throwIfAborted,
  ValidationError,
} from "@ragloom/core";
import type { DocStore, DocStoreKeysOptions } from "./types.js";
import { checkDocuments, checkIds, fromStored, toStored } from "./validate.js";

/** Options of {@link createFileSystemDocStore}. */
export interface FileSystemDocStoreOptions {
  /** Folder holding one JSON file per document; created if missing. */
  directory: string;
  /** File operations in flight at once. @default 16 */
  concurrency?: number;
}

const SUFFIX = ".json";
const HASHED = "~";
/** Longest encoded name kept as is; longer ones become `~<sha256>.json` (file names max out at 255 bytes). */
const MAX_NAME = 200;

/**
 * File name of an id: `[a-z0-9_-]` kept, every other UTF-8 byte written `%xx` (lowercase hex).
 * Reversible, safe on case-insensitive file systems, never `.`/`..`; ids whose encoding is
 * longer than 200 characters are named by their SHA-256 instead (the id is read from the file).
 */
export function encodeFileName(id: string): string {
  let out = "";
  for (const byte of Buffer.from(id, "utf8")) {
    const c = String.fromCharCode(byte);
    out += /[a-z0-9_-]/.test(c) ? c : `%${byte.toString(16).padStart(2, "0")}`;
  }
  if (out.length > MAX_NAME) return `${HASHED}${createHash("sha256").update(id).digest("hex")}${SUFFIX}`;
  return `${out}${SUFFIX}`;
}

function decodeFileName(name: string): string | null {
  if (!name.endsWith(SUFFIX) || name.startsWith(HASHED)) return null;
  const body = name.slice(0, -SUFFIX.length);
  const bytes: number[] = [];
  for (let i = 0; i < body.length; i++) {
    if (body[i] === "%") {
      bytes.push(Number.parseInt(body.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(body.charCodeAt(i));
  }
  return Buffer.from(bytes).toString("utf8");
}

function isMissing(error: unknown) {
  return (error as { code?: string })?.code === "ENOENT";
}

function wrap(error: unknown, what: string): ServiceError {
  return new ServiceError("file-system", `${what} failed: ${(error as Error)?.message ?? String(error)}`, {
    retryable: false,
    cause: error,
  });
}

/** Runs `fn` over `items` with at most `limit` promises in flight. */
async function forEachLimited<T>(items: T[], limit: number, fn: (item: T, index: number) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/**
 * A {@link DocStore} of one JSON file per document in a folder (names from {@link encodeFileName}).
 *
 * Each file is written to a unique temporary file and renamed into place, so a reader or a crash
 * never sees a half-written document; `mset` of several documents is not atomic as a whole
 * (the parent-document retriever does not need it: see its write protocol).
 * @throws ServiceError for file-system failures (other than a missing file on read or delete).
 */
export class FileSystemDocStore implements DocStore {
  readonly kind = "file-system";
  readonly directory: string;
  private readonly concurrency: number;
  private ready: Promise<unknown> | undefined;

  constructor(options: FileSystemDocStoreOptions) {
    if (typeof options?.directory !== "string" || options.directory.length === 0) {
      throw new ValidationError("directory must be a non-empty path");
    }
    this.directory = resolve(options.directory);
    this.concurrency = options.concurrency ?? 16;
    if (!(this.concurrency >= 1))
      throw new ValidationError(`concurrency must be >= 1, got ${this.concurrency}`);
  }

  private ensureDir() {
    this.ready ??= mkdir(this.directory, { recursive: true }).catch((e) => {
      this.ready = undefined;
      throw wrap(e, `creating ${this.directory}`);
    });
    return this.ready;
  }

  async mget(ids: string[], options?: CallOptions): Promise<Array<Document | undefined>> {
    throwIfAborted(options?.signal);
    checkIds(ids);
    const out: Array<Document | undefined> = new Array(ids.length).fill(undefined);
    await forEachLimited(ids, this.concurrency, async (id, i) => {
      try {
        const d = fromStored(await readFile(join(this.directory, encodeFileName(id)), "utf8"));
        if (d.id === id) out[i] = d;
      } catch (error) {
        if (!isMissing(error)) throw wrap(error, `reading "${id}"`);
      }
    });
    return out;
  }

  async mset(documents: Document[], options?: CallOptions): Promise<void> {
    throwIfAborted(options?.signal);
    checkDocuments(documents);
    if (documents.length === 0) return;
    await this.ensureDir();
    // the last document with a given id wins, as in a Map
    const last = new Map(documents.map((d) => [d.id, d]));
    await forEachLimited([...last.values()], this.concurrency, async (d) => {
      throwIfAborted(options?.signal);
      const file = join(this.directory, encodeFileName(d.id));
      const tmp = `${file}.${randomUUID()}.tmp`;
      try {
        await writeFile(tmp, toStored(d), "utf8");
        await rename(tmp, file);
      } catch (error) {
        await rm(tmp, { force: true }).catch(() => {});
        throw wrap(error, `writing "${d.id}"`);
      }
    });
  }

  async mdelete(ids: string[], options?: CallOptions): Promise<void> {
    throwIfAborted(options?.signal);
    checkIds(ids);
    await forEachLimited(ids, this.concurrency, async (id) => {
      try {
        await unlink(join(this.directory, encodeFileName(id)));
      } catch (error) {
        if (!isMissing(error)) throw wrap(error, `deleting "${id}"`);
      }
    });
  }

  async *keys(options: DocStoreKeysOptions = {}): AsyncIterable<string> {
    throwIfAborted(options.signal);
    const prefix = options.prefix ?? "";
    let names: string[];
    try {
      names = await readdir(this.directory);
    } catch (error) {
      if (isMissing(error)) return;
      throw wrap(error, `listing ${this.directory}`);
    }
    for (const name of names) {
      if (!name.endsWith(SUFFIX)) continue;
      let id = decodeFileName(name);
      if (id === null) {
        try {
          id = fromStored(await readFile(join(this.directory, name), "utf8")).id;
        } catch (error) {
          if (isMissing(error)) continue;
          throw wrap(error, `reading ${name}`);
        }
      }
      if (id.startsWith(prefix)) yield id;
    }
  }
}

/** Creates a {@link FileSystemDocStore} (the folder is created on the first write). */
export function createFileSystemDocStore(options: FileSystemDocStoreOptions): FileSystemDocStore {
  return new FileSystemDocStore(options);
}
