import { readFile, rename, writeFile } from "node:fs/promises";
import { DimensionMismatchError, throwIfAborted, ValidationError } from "../errors/errors.js";
import { compileFilter } from "../filter/evaluate.js";
import type { Filter } from "../filter/types.js";
import { createRowStorage, type RowStorage } from "../math/row-storage.js";
import { TopK } from "../math/top-k.js";
import type { Document, Metadata } from "../types/document.js";
import type { CallOptions } from "../types/embedder.js";
import type { VectorHit, VectorQueryOptions, VectorRecord, VectorStore } from "../types/vector-store.js";

/** Options of {@link InMemoryVectorStore}. */
export interface InMemoryVectorStoreOptions {
  /** Length of every vector. */
  dimensions: number;
  /** Initial capacity in records (grows by doubling). @default 1024 */
  initialCapacity?: number;
  /**
   * Score with the WebAssembly SIMD kernel (when the runtime supports it and `dimensions` is a
   * multiple of 8; else an unrolled JavaScript loop). WebAssembly memory caps the store at
   * 4 GiB of vectors (about 2.6 million 384-d vectors). @default true
   */
  simd?: boolean;
}

const MAGIC = "RAGLOOM-VS1";

/**
 * Exact nearest-neighbour search by cosine similarity over contiguous `Float32Array` storage.
 *
 * Vectors are L2-normalised on upsert, so a query is one dot product per row
 * (cosine similarity = dot product of unit vectors), computed by a WebAssembly SIMD kernel
 * (or an unrolled JavaScript loop), then a bounded min-heap selects the top-k:
 * O(n·d) time, O(k) extra memory, no allocation per row.
 * Deletion swaps the last row into the hole, so storage stays dense.
 * Filters use the filter IR evaluated in process ({@link compileFilter}).
 *
 * Scores are cosine similarities in [-1, 1].
 */
export class InMemoryVectorStore implements VectorStore {
  readonly kind = "in-memory";
  readonly dimensions: number;
  private rows: RowStorage;
  private ids: string[] = [];
  private texts: string[] = [];
  private metadatas: Metadata[] = [];
  private readonly rowOf = new Map<string, number>();

  constructor(options: InMemoryVectorStoreOptions) {
    if (!Number.isInteger(options.dimensions) || options.dimensions <= 0) {
      throw new ValidationError(`dimensions must be a positive integer, got ${options.dimensions}`);
    }
    this.dimensions = options.dimensions;
    this.rows = createRowStorage(
      this.dimensions,
      Math.max(1, options.initialCapacity ?? 1024),
      options.simd ?? true,
    );
  }

  /** Whether queries run the WebAssembly SIMD kernel. */
  get simd(): boolean {
    return this.rows.simd;
  }

  /** Number of stored records (synchronous). */
  get size(): number {
    return this.ids.length;
  }

  private writeRow(row: number, vector: ArrayLike<number>) {
    const d = this.dimensions;
    const off = row * d;
    let norm = 0;
    for (let i = 0; i < d; i++) norm += vector[i]! * vector[i]!;
    const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    const data = this.rows.data;
    for (let i = 0; i < d; i++) data[off + i] = vector[i]! * inv;
  }

  /**
   * Inserts or replaces records by id. All vectors are checked before anything is written.
   * @throws DimensionMismatchError when a vector's length differs from `dimensions`.
   * @throws ValidationError for a missing id or non-finite vector values.
   */
  async upsert(records: VectorRecord[], options?: CallOptions): Promise<void> {
    throwIfAborted(options?.signal);
    for (const r of records) {
      if (typeof r.id !== "string" || r.id.length === 0)
        throw new ValidationError("record id must be a non-empty string");
      if (r.vector.length !== this.dimensions) {
        throw new DimensionMismatchError(this.dimensions, r.vector.length, `vector of "${r.id}"`);
      }
      for (let i = 0; i < r.vector.length; i++) {
        if (!Number.isFinite(r.vector[i]))
          throw new ValidationError(`vector of "${r.id}" has a non-finite value`);
      }
    }
    this.rows.ensureCapacity(this.ids.length + records.length);
    for (const r of records) {
      let row = this.rowOf.get(r.id);
      if (row === undefined) {
        row = this.ids.length;
        this.ids.push(r.id);
        this.texts.push(r.text);
        this.metadatas.push({ ...r.metadata });
        this.rowOf.set(r.id, row);
      } else {
        this.texts[row] = r.text;
        this.metadatas[row] = { ...r.metadata };
      }
      this.writeRow(row, r.vector);
    }
  }

  /** Deletes by id; unknown ids are ignored. */
  async delete(ids: string[], options?: CallOptions): Promise<void> {
    throwIfAborted(options?.signal);
    const d = this.dimensions;
    for (const id of ids) {
      const row = this.rowOf.get(id);
      if (row === undefined) continue;
      const last = this.ids.length - 1;
      if (row !== last) {
        this.rows.data.copyWithin(row * d, last * d, last * d + d);
        const movedId = this.ids[last]!;
        this.ids[row] = movedId;
        this.texts[row] = this.texts[last]!;
        this.metadatas[row] = this.metadatas[last]!;
        this.rowOf.set(movedId, row);
      }
      this.ids.pop();
      this.texts.pop();
      this.metadatas.pop();
      this.rowOf.delete(id);
    }
  }

  /** Deletes every record matching `filter`; returns how many were deleted. */
  async deleteWhere(filter: Filter, options?: CallOptions): Promise<number> {
    const match = compileFilter(filter);
    const ids = this.ids.filter((_, row) => match(this.metadatas[row]!, this.texts[row]!));
    await this.delete(ids, options);
    return ids.length;
  }

  async count(): Promise<number> {
    return this.ids.length;
  }

  /**
   * Exact top-k by cosine similarity, best first; ties keep insertion order.
   * @param vector - query vector of length `dimensions` (need not be normalised).
   * @throws DimensionMismatchError, FilterError, ValidationError (k not a non-negative integer).
   */
  async query(vector: Float32Array | number[], options: VectorQueryOptions): Promise<VectorHit[]> {
    throwIfAborted(options.signal);
    return this.querySync(vector, options);
  }

  /** Synchronous {@link query} for hot paths and benchmarks. */
  querySync(vector: Float32Array | number[], options: VectorQueryOptions): VectorHit[] {
    const d = this.dimensions;
    if (vector.length !== d) throw new DimensionMismatchError(d, vector.length, "query vector");
    const { k } = options;
    if (!Number.isInteger(k) || k < 0)
      throw new ValidationError(`k must be a non-negative integer, got ${k}`);
    const match = options.filter ? compileFilter(options.filter) : null;
    let qn = 0;
    for (let i = 0; i < d; i++) qn += vector[i]! * vector[i]!;
    const q = new Float32Array(d);
    const inv = qn > 0 ? 1 / Math.sqrt(qn) : 0;
    for (let i = 0; i < d; i++) q[i] = vector[i]! * inv;

    const n = this.ids.length;
    const top = new TopK(Math.min(k, n));
    const scores = this.rows.scores(q, n);
    for (let row = 0; row < n; row++) {
      const score = scores[row]!;
      if (score < top.threshold) continue;
      if (match && !match(this.metadatas[row]!, this.texts[row]!)) continue;
      top.push(score, row);
    }
    return top.sorted().map(({ index, score }) => {
      const hit: VectorHit = {
        id: this.ids[index]!,
        text: this.texts[index]!,
        metadata: { ...this.metadatas[index]! },
        score,
      };
      if (options.includeVectors) hit.vector = this.rows.data.slice(index * d, index * d + d);
      return hit;
    });
  }

  /** Records by id with their (normalised) vectors; missing ids are skipped. */
  async get(ids: string[]): Promise<VectorRecord[]> {
    const d = this.dimensions;
    const out: VectorRecord[] = [];
    for (const id of ids) {
      const row = this.rowOf.get(id);
      if (row === undefined) continue;
      out.push({
        id,
        text: this.texts[row]!,
        metadata: { ...this.metadatas[row]! },
        vector: this.rows.data.slice(row * d, row * d + d),
      });
    }
    return out;
  }

  /** Every stored document (no vectors) in pages of `pageSize` (@default 1000), in storage order. */
  async *scan(options: CallOptions & { pageSize?: number } = {}): AsyncIterable<Document[]> {
    const pageSize = options.pageSize ?? 1000;
    const ids = [...this.ids];
    for (let i = 0; i < ids.length; i += pageSize) {
      throwIfAborted(options.signal);
      const page: Document[] = [];
      for (const id of ids.slice(i, i + pageSize)) {
        const row = this.rowOf.get(id);
        if (row !== undefined)
          page.push({ id, text: this.texts[row]!, metadata: { ...this.metadatas[row]! } });
      }
      yield page;
    }
  }

  /** Every stored id, in storage order. */
  listIds(): string[] {
    return [...this.ids];
  }

  /**
   * Saves the store to one file: a magic line, a JSON header (ids, texts, metadata) and the raw
   * little-endian float32 vectors. Written to `path.tmp` then renamed, so a crash never leaves a
   * half-written file.
   */
  async save(path: string): Promise<void> {
    const header = Buffer.from(
      JSON.stringify({
        dimensions: this.dimensions,
        ids: this.ids,
        texts: this.texts,
        metadatas: this.metadatas,
      }),
      "utf8",
    );
    const n = this.ids.length * this.dimensions;
    const data = this.rows.data;
    const vectors = Buffer.from(data.buffer, data.byteOffset, n * 4);
    const prefix = Buffer.alloc(MAGIC.length + 8);
    prefix.write(MAGIC, 0, "ascii");
    prefix.writeBigUInt64LE(BigInt(header.length), MAGIC.length);
    const tmp = `${path}.tmp`;
    await writeFile(tmp, Buffer.concat([prefix, header, vectors]));
    await rename(tmp, path);
  }

  /**
   * Loads a store written by {@link save}.
   * @throws ValidationError when the file is not a ragloom vector store file or is truncated.
   */
  static async load(
    path: string,
    options: Pick<InMemoryVectorStoreOptions, "simd"> = {},
  ): Promise<InMemoryVectorStore> {
    const buf = await readFile(path);
    if (buf.subarray(0, MAGIC.length).toString("ascii") !== MAGIC) {
      throw new ValidationError(`${path} is not a ragloom vector store file`);
    }
    const headerLength = Number(buf.readBigUInt64LE(MAGIC.length));
    const start = MAGIC.length + 8;
    const header = JSON.parse(buf.subarray(start, start + headerLength).toString("utf8")) as {
      dimensions: number;
      ids: string[];
      texts: string[];
      metadatas: Metadata[];
    };
    const vecBytes = buf.subarray(start + headerLength);
    const n = header.ids.length;
    if (vecBytes.length !== n * header.dimensions * 4) throw new ValidationError(`${path} is truncated`);
    const store = new InMemoryVectorStore({
      ...options,
      dimensions: header.dimensions,
      initialCapacity: Math.max(1, n),
    });
    const data = store.rows.data;
    new Uint8Array(data.buffer, data.byteOffset, vecBytes.length).set(vecBytes);
    store.ids = header.ids;
    store.texts = header.texts;
    store.metadatas = header.metadatas;
    header.ids.forEach((id, row) => store.rowOf.set(id, row));
    return store;
  }
}
