/**
 * The one-file snapshot format shared by `InMemoryVectorStore.save` and `BM25Index.save`, and
 * the atomic write both use.
 *
 * Layout (version 2):
 * `magic` (ASCII, e.g. `RAGLOOM-VS2`) · header length (uint64 little-endian) · header (UTF-8 JSON)
 * · payload (raw bytes, may be empty) · SHA-256 of every preceding byte (32 bytes).
 */
import { createHash, randomBytes } from "node:crypto";
import { open, readFile, rename, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { CorruptFileError } from "../errors/errors.js";

/** Length of the SHA-256 trailer in bytes. */
export const CHECKSUM_BYTES = 32;
const LENGTH_BYTES = 8;

/** The parts of a snapshot file: magic, JSON header, raw payload chunks. */
export interface Snapshot {
  magic: string;
  header: unknown;
  payload?: Uint8Array[];
}

/**
 * Encodes a snapshot into the chunks of its file (no concatenation: a payload of gigabytes is
 * written as it is), the last chunk being the SHA-256 of all the others.
 */
export function encodeSnapshot(snapshot: Snapshot): Uint8Array[] {
  const header = Buffer.from(JSON.stringify(snapshot.header), "utf8");
  const prefix = Buffer.alloc(snapshot.magic.length + LENGTH_BYTES);
  prefix.write(snapshot.magic, 0, "ascii");
  prefix.writeBigUInt64LE(BigInt(header.length), snapshot.magic.length);
  const chunks: Uint8Array[] = [prefix, header, ...(snapshot.payload ?? [])];
  const hash = createHash("sha256");
  for (const c of chunks) hash.update(c);
  chunks.push(hash.digest());
  return chunks;
}

/** A decoded snapshot file: its magic, parsed header, and payload bytes (a view of the file). */
export interface DecodedSnapshot {
  magic: string;
  header: unknown;
  payload: Buffer;
}

/**
 * Decodes a snapshot file's bytes: checks the magic (one of `magics`), the header length, the
 * SHA-256 trailer (for magics listed in `checksummed`; older formats have none) and parses
 * the header.
 * @throws CorruptFileError for an unknown magic, a truncated file, a header length beyond the
 *   file, a checksum mismatch or a header that is not JSON.
 */
export function decodeSnapshot(
  bytes: Buffer,
  path: string,
  magics: readonly string[],
  checksummed: ReadonlySet<string>,
): DecodedSnapshot {
  const magic = magics.find((m) => bytes.length >= m.length && bytes.toString("ascii", 0, m.length) === m);
  if (!magic)
    throw new CorruptFileError(path, `not a ragloom file of this kind (expected ${magics.join(" or ")})`);
  const trailer = checksummed.has(magic) ? CHECKSUM_BYTES : 0;
  const start = magic.length + LENGTH_BYTES;
  if (bytes.length < start + trailer) throw new CorruptFileError(path, "file is truncated");
  const end = bytes.length - trailer;
  if (trailer) {
    const expected = bytes.subarray(end);
    const actual = createHash("sha256").update(bytes.subarray(0, end)).digest();
    if (!actual.equals(expected)) {
      throw new CorruptFileError(path, "checksum mismatch: the file is corrupted or was modified");
    }
  }
  const headerLength = bytes.readBigUInt64LE(magic.length);
  if (headerLength > BigInt(end - start)) {
    throw new CorruptFileError(
      path,
      `header length ${headerLength} exceeds the file (${bytes.length} bytes)`,
    );
  }
  const headerEnd = start + Number(headerLength);
  let header: unknown;
  try {
    header = JSON.parse(bytes.toString("utf8", start, headerEnd));
  } catch (cause) {
    throw new CorruptFileError(path, "header is not valid JSON", { cause });
  }
  return { magic, header, payload: bytes.subarray(headerEnd, end) };
}

/** Reads and decodes a snapshot file ({@link decodeSnapshot}). */
export async function readSnapshot(
  path: string,
  magics: readonly string[],
  checksummed: ReadonlySet<string>,
): Promise<DecodedSnapshot> {
  return decodeSnapshot(await readFile(path), path, magics, checksummed);
}

/**
 * Writes `chunks` to `path` so that a reader sees either the old file or the complete new one,
 * never a mix: the bytes go to a uniquely named temporary file in the same directory, which is
 * fsynced, then renamed over `path` (atomic on POSIX file systems); the directory is fsynced
 * where the platform allows it. Concurrent writers each use their own temporary file, so the
 * last rename wins and every intermediate state is a whole file. On error the temporary file
 * is removed and `path` is untouched.
 */
export async function writeFileAtomic(path: string, chunks: readonly Uint8Array[]): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
  const handle = await open(tmp, "wx");
  let renamed = false;
  try {
    let position = 0;
    for (const chunk of chunks) {
      // write() may write less than asked (e.g. beyond 2 GiB in one call): loop until done
      for (let offset = 0; offset < chunk.byteLength; ) {
        const { bytesWritten } = await handle.write(chunk, offset, chunk.byteLength - offset, position);
        offset += bytesWritten;
        position += bytesWritten;
      }
    }
    await handle.sync();
    await handle.close();
    await rename(tmp, path);
    renamed = true;
  } finally {
    if (!renamed) {
      await handle.close().catch(() => {});
      await unlink(tmp).catch(() => {});
    }
  }
  await syncDirectory(dirname(path));
}

async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, "r");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // not supported on every platform (Windows, some network file systems): the rename stands
  }
}
