import { randomUUID } from "node:crypto";
import { throwIfAborted, ValidationError } from "../errors/errors.js";
import { compileFilter } from "../filter/evaluate.js";
import type { Filter } from "../filter/types.js";
import { checkK, checkVector } from "../math/check-vector.js";
import { createRowStorage, type RowStorage } from "../math/row-storage.js";
import { TopK } from "../math/top-k.js";
import type { Document, Metadata } from "../types/document.js";
import type { CallOptions } from "../types/embedder.js";
import type { VectorHit, VectorQueryOptions, VectorRecord, VectorStore } from "../types/vector-store.js";
import { writeFileAtomic } from "./snapshot-file.js";
import { assertFiniteRows, encodeVectorStoreFile, readVectorStoreFile } from "./vector-store-file.js";

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
  /**
   * Identity of this store's data, for result caches ({@link VectorStore.scope}).
   * @default `in-memory:` and a random UUID, unique to the instance (kept by {@link InMemoryVectorStore.save})
   */
  scope?: string;
}

/** Options of {@link InMemoryVectorStore.load}. */
export interface InMemoryVectorStoreLoadOptions {
  /** As in {@link InMemoryVectorStoreOptions.simd}. @default true */
  simd?: boolean;
  /**
   * Scope of the loaded store. @default the scope saved in the file, so a reloaded store keeps
   * its identity (a version 1 file, which has none, gets a new random one)
   */
  scope?: string;
}

/**
 * Largest absolute value and Euclidean norm of `v`, computed on values scaled by the largest
 * one so that squaring never overflows (a vector of 1e200s has norm 1e200·√d, not Infinity).
 */
function norm(v: ArrayLike<number>, d: number): number {
  let max = 0;
  for (let i = 0; i < d; i++) max = Math.max(max, Math.abs(v[i]!));
  if (max === 0) return 0;
  let sum = 0;
  for (let i = 0; i < d; i++) {
    const x = v[i]! / max;
    sum += x * x;
  }
  return Math.sqrt(sum) * max;
}

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
  /** Identity of this store's data (see {@link InMemoryVectorStoreOptions.scope}). */
  readonly scope: string;
  private rows: RowStorage;
  private ids: string[] = [];
  private texts: string[] = [];
  private metadatas: Metadata[] = [];
  private readonly rowOf = new Map<string, number>();
  /** The pending save, so that saves of this store run one after the other. */
  private saving: Promise<unknown> = Promise.resolve();

  /** @throws ValidationError for dimensions that are not a positive integer, or an empty scope. */
  constructor(options: InMemoryVectorStoreOptions) {
    if (!Number.isInteger(options.dimensions) || options.dimensions <= 0) {
      throw new ValidationError(`dimensions must be a positive integer, got ${options.dimensions}`);
    }
    if (options.scope !== undefined && (typeof options.scope !== "string" || options.scope.length === 0)) {
      throw new ValidationError("scope must be a non-empty string");
    }
    this.scope = options.scope ?? `in-memory:${randomUUID()}`;
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
    const n = norm(vector, d);
    const inv = n > 0 ? 1 / n : 0;
    const data = this.rows.data;
    for (let i = 0; i < d; i++) data[off + i] = vector[i]! * inv;
  }

  /**
   * Inserts or replaces records by id. All records are checked before anything is written.
   * Vectors are stored L2-normalised (a zero vector stays zero and scores 0 against anything).
   * @throws DimensionMismatchError when a vector's length differs from `dimensions`.
   * @throws ValidationError for a missing or empty id, a missing vector, a vector that is not an
   *   array of finite numbers, a text that is not a string or metadata that is not an object.
   */
  async upsert(records: VectorRecord[], options?: CallOptions): Promise<void> {
    throwIfAborted(options?.signal);
    if (!Array.isArray(records)) throw new ValidationError("records must be an array");
    for (const r of records) {
      if (typeof r?.id !== "string" || r.id.length === 0)
        throw new ValidationError("record id must be a non-empty string");
      checkVector(r.vector, this.dimensions, `vector of "${r.id}"`);
      if (typeof r.text !== "string") throw new ValidationError(`text of "${r.id}" must be a string`);
      if (r.metadata !== undefined && (typeof r.metadata !== "object" || Array.isArray(r.metadata))) {
        throw new ValidationError(`metadata of "${r.id}" must be an object`);
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
   * @param vector - query vector of length `dimensions`, finite values (need not be normalised;
   *   a zero vector scores 0 against every record).
   * @param options - `k`: a non-negative integer; more than the stored records returns them all.
   * @throws DimensionMismatchError (wrong length), FilterError (bad filter), ValidationError
   *   (k not a non-negative integer, a vector that is not an array of finite numbers).
   */
  async query(vector: Float32Array | number[], options: VectorQueryOptions): Promise<VectorHit[]> {
    throwIfAborted(options?.signal);
    return this.querySync(vector, options);
  }

  /** Synchronous {@link query} for hot paths and benchmarks. */
  querySync(vector: Float32Array | number[], options: VectorQueryOptions): VectorHit[] {
    const d = this.dimensions;
    checkVector(vector, d, "query vector");
    const k = checkK(options?.k);
    const match = options.filter ? compileFilter(options.filter) : null;
    const qn = norm(vector, d);
    const q = new Float32Array(d);
    const inv = qn > 0 ? 1 / qn : 0;
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
   * Saves the store to one file, format 2: the magic `RAGLOOM-VS2`, a uint64 header length, a
   * JSON header (scope, dimensions, ids, texts, metadata), the raw little-endian float32 rows
   * and a SHA-256 checksum of all the preceding bytes. The contents
   * are taken when `save` is called; saves of one store run one after the other, and each
   * writes a temporary file that is fsynced and renamed over `path`, so readers and a crash
   * only ever see a whole file (the old one or the new one).
   * @param path - file to write; its directory must exist.
   * @throws the file system's error (e.g. ENOENT for a missing directory); `path` is then untouched.
   */
  save(path: string): Promise<void> {
    const n = this.ids.length * this.dimensions;
    // snapshot now: later upserts, deletes or memory growth must not reach the bytes being written
    const chunks = encodeVectorStoreFile(
      {
        dimensions: this.dimensions,
        scope: this.scope,
        ids: this.ids,
        texts: this.texts,
        metadatas: this.metadatas,
      },
      this.rows.data.slice(0, n),
    );
    const run = this.saving.then(() => writeFileAtomic(path, chunks));
    this.saving = run.catch(() => {});
    return run;
  }

  /**
   * Loads a store written by {@link save} (format 2, or format 1 of earlier versions).
   * @throws CorruptFileError (a {@link ValidationError}) when the file is not a ragloom vector
   *   store file, is truncated, fails its checksum, or holds duplicate ids, non-finite vectors
   *   or records of inconsistent shape; the file system's error when it cannot be read.
   */
  static async load(
    path: string,
    options: InMemoryVectorStoreLoadOptions = {},
  ): Promise<InMemoryVectorStore> {
    const { contents, vectorBytes } = await readVectorStoreFile(path);
    const n = contents.ids.length;
    const store = new InMemoryVectorStore({
      simd: options.simd,
      scope: options.scope ?? contents.scope,
      dimensions: contents.dimensions,
      initialCapacity: Math.max(1, n),
    });
    const data = store.rows.data;
    new Uint8Array(data.buffer, data.byteOffset, vectorBytes.length).set(vectorBytes);
    assertFiniteRows(data, n * contents.dimensions, contents.dimensions, contents.ids, path);
    store.ids = contents.ids;
    store.texts = contents.texts;
    store.metadatas = contents.metadatas;
    contents.ids.forEach((id, row) => store.rowOf.set(id, row));
    return store;
  }
}
