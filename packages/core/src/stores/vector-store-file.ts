/**
 * The file format of `InMemoryVectorStore.save` / `load`.
 *
 * Version 2 (`RAGLOOM-VS2`, written since 0.2): the snapshot layout of `snapshot-file.ts` with a
 * header `{ format: 2, scope, dimensions, count, ids, texts, metadatas }`, a payload of
 * `count · dimensions` little-endian float32 (the L2-normalised rows) and a SHA-256 trailer.
 * Version 1 (`RAGLOOM-VS1`): the same without `format`, `scope`, `count` and the trailer;
 * still loaded (its structure is checked, but it has no checksum).
 */
import { CorruptFileError } from "../errors/errors.js";
import type { RowStorage } from "../math/row-storage.js";
import type { Metadata } from "../types/document.js";
import { encodeSnapshot, type PayloadSink, readSnapshotStreaming } from "./snapshot-file.js";

export const VECTOR_STORE_MAGIC = "RAGLOOM-VS2";
const MAGIC_V1 = "RAGLOOM-VS1";
const MAGICS = [VECTOR_STORE_MAGIC, MAGIC_V1] as const;
const CHECKSUMMED = new Set([VECTOR_STORE_MAGIC]);

/** What a vector store file holds. */
export interface VectorStoreFileContents {
  dimensions: number;
  /** Absent in version 1 files. */
  scope?: string;
  ids: string[];
  texts: string[];
  metadatas: Metadata[];
}

/**
 * Encodes a store as file chunks; `vectors` holds exactly `ids.length · dimensions` floats, as
 * one array or as byte chunks laid end to end (written as they are, not copied).
 */
export function encodeVectorStoreFile(
  contents: VectorStoreFileContents,
  vectors: Float32Array | Uint8Array[],
): Uint8Array[] {
  return encodeSnapshot({
    magic: VECTOR_STORE_MAGIC,
    header: {
      format: 2,
      scope: contents.scope,
      dimensions: contents.dimensions,
      count: contents.ids.length,
      ids: contents.ids,
      texts: contents.texts,
      metadatas: contents.metadatas,
    },
    payload: Array.isArray(vectors)
      ? vectors
      : [new Uint8Array(vectors.buffer, vectors.byteOffset, vectors.byteLength)],
  });
}

const isPlainObject = (x: unknown): x is Metadata => typeof x === "object" && x !== null && !Array.isArray(x);

/**
 * Reads a vector store file and checks its structure: the checksum (version 2), positive
 * integer dimensions, ids/texts/metadatas of one length, unique non-empty string ids, string
 * texts, object metadata, and exactly `count · dimensions` float32 of vector bytes. The vector
 * bytes are streamed to the sink `allocate` returns for the checked contents (so a file larger
 * than one buffer loads), then the checksum is compared.
 * @throws CorruptFileError when any check fails (the sink may then have received bytes).
 */
export async function readVectorStoreFile(
  path: string,
  allocate: (contents: VectorStoreFileContents) => PayloadSink,
): Promise<VectorStoreFileContents> {
  let contents: VectorStoreFileContents | undefined;
  await readSnapshotStreaming(path, MAGICS, CHECKSUMMED, (magic, header, payloadLength) => {
    contents = checkHeader(path, magic, header, payloadLength);
    return allocate(contents);
  });
  return contents!;
}

function checkHeader(path: string, magic: string, header: unknown, payloadLength: number) {
  const bad = (message: string) => new CorruptFileError(path, message);
  if (!isPlainObject(header)) throw bad("header is not an object");
  const h = header as Record<string, unknown>;
  const { dimensions, ids, texts, metadatas } = h;
  if (magic === VECTOR_STORE_MAGIC && h.format !== 2) throw bad(`unsupported format ${String(h.format)}`);
  if (typeof dimensions !== "number" || !Number.isInteger(dimensions) || dimensions <= 0) {
    throw bad(`dimensions must be a positive integer, got ${String(dimensions)}`);
  }
  if (!Array.isArray(ids) || !Array.isArray(texts) || !Array.isArray(metadatas)) {
    throw bad("ids, texts and metadatas must be arrays");
  }
  const n = ids.length;
  if (texts.length !== n || metadatas.length !== n || (h.count !== undefined && h.count !== n)) {
    throw bad(`ids (${n}), texts (${texts.length}) and metadatas (${metadatas.length}) differ in length`);
  }
  const seen = new Set<string>();
  for (let i = 0; i < n; i++) {
    const id = ids[i];
    if (typeof id !== "string" || id.length === 0) throw bad(`record ${i} has no valid id`);
    if (seen.has(id)) throw bad(`duplicate id "${id}"`);
    seen.add(id);
    if (typeof texts[i] !== "string") throw bad(`text of "${id}" is not a string`);
    if (!isPlainObject(metadatas[i])) throw bad(`metadata of "${id}" is not an object`);
  }
  if (h.scope !== undefined && (typeof h.scope !== "string" || h.scope.length === 0)) {
    throw bad("scope must be a non-empty string");
  }
  if (payloadLength !== n * dimensions * 4) {
    throw bad(`has ${payloadLength} bytes of vectors, expected ${n * dimensions * 4} (truncated?)`);
  }
  return { dimensions, scope: h.scope as string | undefined, ids, texts, metadatas };
}

/**
 * Checks that the first `length` floats of `data` are finite; `data` holds rows from `firstRow` on.
 * @throws CorruptFileError naming the record of the first non-finite value.
 */
function assertFiniteRows(
  data: Float32Array,
  length: number,
  dimensions: number,
  ids: string[],
  path: string,
  firstRow = 0,
) {
  for (let i = 0; i < length; i++) {
    if (!Number.isFinite(data[i]!)) {
      const id = ids[firstRow + Math.floor(i / dimensions)];
      throw new CorruptFileError(path, `vector of "${id}" has a non-finite value`);
    }
  }
}

/**
 * Checks that the first `n` rows of `rows` (all its segments) are finite.
 * @throws CorruptFileError naming the record (by `ids`) of the first non-finite value.
 */
export function assertFiniteStorage(
  rows: RowStorage,
  n: number,
  dimensions: number,
  ids: string[],
  path: string,
) {
  for (let s = 0; s < rows.segments.length; s++) {
    const count = rows.rowsIn(s, n);
    assertFiniteRows(rows.segments[s]!.rows, count * dimensions, dimensions, ids, path, s * rows.segmentRows);
  }
}
