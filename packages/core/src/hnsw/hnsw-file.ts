/**
 * The file format of `HnswVectorStore.save` / `load`, version 1 (`RAGLOOM-HN1`): the snapshot
 * layout of the in-memory store (magic · uint64 little-endian header length · UTF-8 JSON header
 * · payload · SHA-256 of every preceding byte) with the header
 * `{ format: 1, scope, dimensions, params, slots, ids, texts, metadatas, indexBytes }` (`ids[s]`
 * is `null` for a free slot) and a payload of `slots · dimensions` little-endian float32 (the
 * L2-normalised rows, slot by slot) followed by `indexBytes` bytes of the usearch index file.
 *
 * Files are read and written in pieces, so a store larger than one buffer (2 GiB) saves and
 * loads: the usearch part goes through a temporary file next to the target.
 */
import { createHash, randomBytes } from "node:crypto";
import { open, stat, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { CorruptFileError } from "../errors/errors.js";
import { CHECKSUM_BYTES } from "../stores/snapshot-file.js";
import type { Metadata } from "../types/document.js";
import { RowSegments, SEGMENT_ROWS } from "./row-segments.js";

export const HNSW_MAGIC = "RAGLOOM-HN1";
const LENGTH_BYTES = 8;
/** Bytes per read or write call of the usearch part. */
const PIECE = 64 * 1024 * 1024;

/** The index parameters saved with the file. */
export interface HnswParams {
  connectivity: number;
  expansionAdd: number;
  expansionSearch: number;
  quantization: string;
}

/** The JSON header of a file. */
export interface HnswFileHeader {
  format: 1;
  scope: string;
  dimensions: number;
  params: HnswParams;
  slots: number;
  ids: Array<string | null>;
  texts: string[];
  metadatas: Metadata[];
  indexBytes: number;
}

/** A temporary file name next to `path`. */
export const tempPathNear = (path: string, tag: string) =>
  join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString("hex")}.${tag}`);

/** Reads a whole file in pieces of at most {@link PIECE} bytes (works beyond 2 GiB). */
export async function readPieces(path: string): Promise<Uint8Array[]> {
  const handle = await open(path, "r");
  try {
    const { size } = await handle.stat();
    const out: Uint8Array[] = [];
    for (let pos = 0; pos < size; ) {
      const buf = Buffer.allocUnsafe(Math.min(PIECE, size - pos));
      let filled = 0;
      while (filled < buf.length) {
        const { bytesRead } = await handle.read(buf, filled, buf.length - filled, pos + filled);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      out.push(buf.subarray(0, filled));
      pos += filled;
      if (filled < buf.length) break;
    }
    return out;
  } finally {
    await handle.close();
  }
}

const isPlainObject = (x: unknown): x is Record<string, unknown> =>
  typeof x === "object" && x !== null && !Array.isArray(x);

/** Checks a parsed header's structure. @throws CorruptFileError */
function checkHeader(h: unknown, path: string): HnswFileHeader {
  const bad = (message: string) => new CorruptFileError(path, message);
  if (!isPlainObject(h)) throw bad("header is not an object");
  if (h.format !== 1) throw bad(`unsupported format ${String(h.format)}`);
  const { dimensions, slots, ids, texts, metadatas, indexBytes, params, scope } = h;
  if (typeof dimensions !== "number" || !Number.isInteger(dimensions) || dimensions <= 0)
    throw bad(`dimensions must be a positive integer, got ${String(dimensions)}`);
  if (typeof scope !== "string" || scope.length === 0) throw bad("scope must be a non-empty string");
  if (typeof slots !== "number" || !Number.isInteger(slots) || slots < 0) throw bad("slots is not a count");
  if (typeof indexBytes !== "number" || !Number.isInteger(indexBytes) || indexBytes < 0)
    throw bad("indexBytes is not a count");
  if (!isPlainObject(params)) throw bad("params is not an object");
  if (!Array.isArray(ids) || !Array.isArray(texts) || !Array.isArray(metadatas))
    throw bad("ids, texts and metadatas must be arrays");
  if (ids.length !== slots || texts.length !== slots || metadatas.length !== slots)
    throw bad(
      `ids (${ids.length}), texts (${texts.length}) and metadatas (${metadatas.length}) differ from slots (${slots})`,
    );
  const seen = new Set<string>();
  for (let i = 0; i < slots; i++) {
    const id = ids[i];
    if (id === null) continue;
    if (typeof id !== "string" || id.length === 0) throw bad(`slot ${i} has no valid id`);
    if (seen.has(id)) throw bad(`duplicate id "${id}"`);
    seen.add(id);
    if (typeof texts[i] !== "string") throw bad(`text of "${id}" is not a string`);
    if (!isPlainObject(metadatas[i])) throw bad(`metadata of "${id}" is not an object`);
  }
  return h as unknown as HnswFileHeader;
}

/** What {@link readHnswFile} returns: the header, the rows, and the usearch part as a file. */
export interface HnswFileContents {
  header: HnswFileHeader;
  rows: RowSegments;
  /** A temporary file holding the usearch index; the caller loads and deletes it. */
  indexPath: string;
}

/**
 * Reads and checks a file written by `HnswVectorStore.save`: the size, magic, header structure,
 * every row finite, and the SHA-256 trailer over all of it (computed while reading).
 * @throws CorruptFileError when a check fails; the file system's error when it cannot be read.
 */
export async function readHnswFile(path: string): Promise<HnswFileContents> {
  const bad = (message: string) => new CorruptFileError(path, message);
  const { size } = await stat(path);
  const handle = await open(path, "r");
  const hash = createHash("sha256");
  let pos = 0;
  const read = async (length: number, into?: Uint8Array): Promise<Uint8Array> => {
    const buf = into ?? Buffer.allocUnsafe(length);
    let filled = 0;
    while (filled < length) {
      const { bytesRead } = await handle.read(buf, filled, length - filled, pos + filled);
      if (bytesRead === 0) throw bad("file is truncated");
      filled += bytesRead;
    }
    pos += length;
    return buf;
  };
  const indexPath = tempPathNear(path, "usearch");
  let keepIndex = false;
  try {
    const prefixLength = HNSW_MAGIC.length + LENGTH_BYTES;
    if (size < prefixLength + CHECKSUM_BYTES) throw bad("file is truncated or not a ragloom HNSW store");
    const prefix = Buffer.from(await read(prefixLength));
    if (prefix.toString("ascii", 0, HNSW_MAGIC.length) !== HNSW_MAGIC)
      throw bad(`not a ragloom HNSW store file (expected ${HNSW_MAGIC})`);
    hash.update(prefix);
    const headerLength = prefix.readBigUInt64LE(HNSW_MAGIC.length);
    if (headerLength > BigInt(size - prefixLength - CHECKSUM_BYTES))
      throw bad(`header length ${headerLength} exceeds the file (${size} bytes)`);
    const headerBytes = Buffer.from(await read(Number(headerLength)));
    hash.update(headerBytes);
    let parsed: unknown;
    try {
      parsed = JSON.parse(headerBytes.toString("utf8"));
    } catch (cause) {
      throw new CorruptFileError(path, "header is not valid JSON", { cause });
    }
    const header = checkHeader(parsed, path);
    const d = header.dimensions;
    const rowBytes = header.slots * d * 4;
    if (size !== pos + rowBytes + header.indexBytes + CHECKSUM_BYTES)
      throw bad(
        `is ${size} bytes, its header describes ${pos + rowBytes + header.indexBytes + CHECKSUM_BYTES} (truncated?)`,
      );
    const rows = new RowSegments(d);
    rows.ensure(header.slots);
    for (let s = 0; s * SEGMENT_ROWS < header.slots; s++) {
      const seg = rows.segments[s]!;
      const n = Math.min(SEGMENT_ROWS, header.slots - s * SEGMENT_ROWS);
      const view = new Uint8Array(seg.buffer, seg.byteOffset, n * d * 4);
      await read(view.length, view);
      hash.update(view);
    }
    const out = await open(indexPath, "wx");
    try {
      for (let left = header.indexBytes; left > 0; ) {
        const piece = await read(Math.min(PIECE, left));
        hash.update(piece);
        await out.write(piece);
        left -= piece.length;
      }
    } finally {
      await out.close();
    }
    const trailer = Buffer.from(await read(CHECKSUM_BYTES));
    if (!hash.digest().equals(trailer)) throw bad("checksum mismatch: the file is corrupted or was modified");
    for (let slot = 0; slot < header.slots; slot++) {
      if (header.ids[slot] === null) continue;
      const row = rows.row(slot);
      for (let i = 0; i < d; i++)
        if (!Number.isFinite(row[i]!)) throw bad(`vector of "${header.ids[slot]}" has a non-finite value`);
    }
    keepIndex = true;
    return { header, rows, indexPath };
  } finally {
    await handle.close();
    if (!keepIndex) await unlink(indexPath).catch(() => {});
  }
}
