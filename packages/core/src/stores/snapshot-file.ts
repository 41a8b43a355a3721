/**
 * The one-file snapshot format shared by `InMemoryVectorStore.save` and `BM25Index.save`, and
 * the atomic write both use.
 *
 * Layout (version 2):
 * `magic` (ASCII, e.g. `RAGLOOM-VS2`) · header length (uint64 little-endian) · header (UTF-8 JSON)
 * · payload (raw bytes, may be empty) · SHA-256 of every preceding byte (32 bytes).
 */
import { createHash, randomBytes } from "node:crypto";
import { type FileHandle, open, readFile, rename, unlink } from "node:fs/promises";
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

/** Receives a payload streamed from a file: `chunk` holds the bytes at `offset` of the payload. */
export type PayloadSink = (chunk: Uint8Array, offset: number) => void;

/** Bytes read from the file at a time when streaming a payload. */
const STREAM_CHUNK = 8 * 1024 * 1024;

async function readExactly(handle: FileHandle, length: number, position: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(buf, done, length - done, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return done === length ? buf : buf.subarray(0, done);
}

/** SHA-256 of bytes [0, end) of the file, read in chunks. */
async function hashRange(handle: FileHandle, end: number): Promise<Buffer> {
  const hash = createHash("sha256");
  for (let at = 0; at < end; at += STREAM_CHUNK) {
    hash.update(await readExactly(handle, Math.min(STREAM_CHUNK, end - at), at));
  }
  return hash.digest();
}

/**
 * Reads a snapshot file without holding it in memory (a payload may be larger than one
 * buffer): the magic, header length and header are read and parsed, `accept` checks the header
 * and returns where the payload goes, then the payload is streamed to it in chunks while the
 * SHA-256 is computed, and the trailer is compared last. The errors are those of
 * {@link decodeSnapshot}, in the same order of precedence: when the structure is wrong (a
 * truncated file, a bad header length, JSON or header) and the format is checksummed, the
 * whole file's checksum is computed first and a mismatch is what gets reported.
 * @param accept - checks the header (throwing a CorruptFileError to refuse it); gets the
 *   payload length in bytes.
 * @throws CorruptFileError as described; the file system's error when it cannot be read.
 */
export async function readSnapshotStreaming(
  path: string,
  magics: readonly string[],
  checksummed: ReadonlySet<string>,
  accept: (magic: string, header: unknown, payloadLength: number) => PayloadSink,
): Promise<void> {
  const handle = await open(path, "r");
  try {
    const size = (await handle.stat()).size;
    const longest = Math.max(...magics.map((m) => m.length));
    const head = await readExactly(handle, Math.min(size, longest + LENGTH_BYTES), 0);
    const magic = magics.find((m) => head.length >= m.length && head.toString("ascii", 0, m.length) === m);
    if (!magic)
      throw new CorruptFileError(path, `not a ragloom file of this kind (expected ${magics.join(" or ")})`);
    const trailer = checksummed.has(magic) ? CHECKSUM_BYTES : 0;
    const start = magic.length + LENGTH_BYTES;
    if (size < start + trailer) throw new CorruptFileError(path, "file is truncated");
    const end = size - trailer;
    // a structural error is reported as such only when the checksum holds
    const refuse = async (error: unknown): Promise<never> => {
      if (trailer && error instanceof CorruptFileError) {
        const expected = await readExactly(handle, CHECKSUM_BYTES, end);
        if (!(await hashRange(handle, end)).equals(expected)) {
          throw new CorruptFileError(path, "checksum mismatch: the file is corrupted or was modified");
        }
      }
      throw error;
    };
    const headerLength = head.readBigUInt64LE(magic.length);
    if (headerLength > BigInt(end - start)) {
      return await refuse(
        new CorruptFileError(path, `header length ${headerLength} exceeds the file (${size} bytes)`),
      );
    }
    const headerEnd = start + Number(headerLength);
    const headerBytes = await readExactly(handle, headerEnd - start, start);
    let sink: PayloadSink;
    try {
      let header: unknown;
      try {
        header = JSON.parse(headerBytes.toString("utf8"));
      } catch (cause) {
        throw new CorruptFileError(path, "header is not valid JSON", { cause });
      }
      sink = accept(magic, header, end - headerEnd);
    } catch (error) {
      return await refuse(error);
    }
    const hash = createHash("sha256").update(head.subarray(0, start)).update(headerBytes);
    for (let at = headerEnd; at < end; at += STREAM_CHUNK) {
      const chunk = await readExactly(handle, Math.min(STREAM_CHUNK, end - at), at);
      hash.update(chunk);
      sink(chunk, at - headerEnd);
    }
    if (trailer && !hash.digest().equals(await readExactly(handle, CHECKSUM_BYTES, end))) {
      throw new CorruptFileError(path, "checksum mismatch: the file is corrupted or was modified");
    }
  } finally {
    await handle.close();
  }
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
