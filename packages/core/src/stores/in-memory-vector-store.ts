import { randomUUID } from "node:crypto";
import { throwIfAborted, ValidationError } from "../errors/errors.js";
import { compileNormal } from "../filter/compile.js";
import { pushDownNot } from "../filter/normalize.js";
import type { Filter } from "../filter/types.js";
import { validateFilter } from "../filter/validate.js";
import { checkK, checkVector } from "../math/check-vector.js";
import { RowStorage } from "../math/row-storage.js";
import {
  kernelSelects,
  prepareQuery,
  type QuantizedStats,
  scanRows,
  scanSelectRows,
  selectQuantized,
  selectTop,
} from "../math/scan.js";
import type { Document } from "../types/document.js";
import type { CallOptions } from "../types/embedder.js";
import type { VectorHit, VectorQueryOptions, VectorRecord, VectorStore } from "../types/vector-store.js";
import {
  type InMemoryVectorStoreLoadOptions,
  type InMemoryVectorStoreOptions,
  positiveInteger,
  resolveTuning,
  unitVector,
  WORKER_MIN_ROWS,
} from "./in-memory-options.js";
import { RecordTable } from "./in-memory-table.js";
import { ReadWriteGate } from "./read-write-gate.js";
import { ScanPool, SlotPool } from "./scan-pool.js";
import { writeFileAtomic } from "./snapshot-file.js";
import { assertFiniteStorage, encodeVectorStoreFile, readVectorStoreFile } from "./vector-store-file.js";

export {
  DEFAULT_OVERSAMPLE,
  IN_MEMORY_MAX_RECORDS,
  type InMemoryVectorStoreLoadOptions,
  type InMemoryVectorStoreOptions,
  type InMemoryVectorStoreTuning,
  WORKER_MIN_ROWS,
} from "./in-memory-options.js";

/**
 * Exact nearest-neighbour search by cosine similarity over float32 rows in WebAssembly memory.
 *
 * Vectors are L2-normalised on upsert, so a query is one dot product per row (cosine
 * similarity = dot product of unit vectors), computed by a WebAssembly SIMD kernel (or an
 * unrolled JavaScript loop), then a bounded min-heap selects the top-k: O(n·d) time, O(k)
 * extra memory. With `quantization: "int8"` (the default) the scan reads int8 copies of the
 * rows and rescores candidates exactly (same results, see {@link InMemoryVectorStoreTuning.quantization}).
 * Rows are kept in segments of one WebAssembly memory each, so the store grows past the 4 GiB
 * of one memory, up to {@link IN_MEMORY_MAX_RECORDS} records. Deletion moves the last row into
 * the hole, so storage stays dense. Filters use the filter IR evaluated in process.
 *
 * Scores are cosine similarities in [-1, 1].
 */
export class InMemoryVectorStore implements VectorStore {
  readonly kind = "in-memory";
  readonly dimensions: number;
  /** Identity of this store's data (see {@link InMemoryVectorStoreOptions.scope}). */
  readonly scope: string;
  /** Candidates per query as a multiple of `k` (see {@link InMemoryVectorStoreTuning.oversample}). */
  readonly oversample: number;
  private readonly rows: RowStorage;
  private readonly table: RecordTable;
  private readonly gate = new ReadWriteGate();
  private readonly workers: number;
  private pool: Promise<ScanPool> | null = null;
  private readonly slots: SlotPool | null;
  private readonly key = randomUUID();
  /** The pending save, so that saves of this store run one after the other. */
  private saving: Promise<unknown> = Promise.resolve();
  /** What the last quantised selection did (for benchmarks). */
  readonly lastScan: QuantizedStats = { rescored: 0, widened: false };

  /**
   * @throws ValidationError for dimensions that are not a positive integer, an empty scope, an
   *   `oversample` below 1, a `segmentRows` that is not a power of two, `maxRecords` or `workers`
   *   out of range, an unknown `quantization`.
   */
  constructor(options: InMemoryVectorStoreOptions) {
    if (!positiveInteger(options.dimensions)) {
      throw new ValidationError(`dimensions must be a positive integer, got ${options.dimensions}`);
    }
    if (options.scope !== undefined && (typeof options.scope !== "string" || options.scope.length === 0)) {
      throw new ValidationError("scope must be a non-empty string");
    }
    const tuning = resolveTuning(options);
    this.oversample = tuning.oversample;
    this.workers = tuning.workers;
    this.scope = options.scope ?? `in-memory:${randomUUID()}`;
    this.dimensions = options.dimensions;
    this.rows = new RowStorage({
      dimensions: this.dimensions,
      initialCapacity: Math.min(tuning.maxRecords, Math.max(1, options.initialCapacity ?? 1024)),
      simd: tuning.simd,
      quantize: tuning.quantization === "int8",
      segmentRows: tuning.segmentRows,
      shared: this.workers > 0,
      slots: 1 + 2 * this.workers,
      maxRows: tuning.maxRecords,
    });
    this.slots = this.workers > 0 && this.rows.shared ? new SlotPool(1, 2 * this.workers) : null;
    this.table = new RecordTable(this.rows, tuning.indexedFields);
  }

  /** Whether queries run the WebAssembly SIMD kernel. */
  get simd(): boolean {
    return this.rows.simd;
  }

  /** The scan queries run: `"int8"` (quantised, rescored) or `"none"` (float32). */
  get quantization(): "int8" | "none" {
    return this.rows.quantized ? "int8" : "none";
  }

  /** Number of stored records (synchronous). */
  get size(): number {
    return this.table.size;
  }

  /** Bytes of row memory (float32 rows, int8 copies and scratch), for capacity planning. */
  get byteLength(): number {
    return this.rows.byteLength;
  }

  /**
   * Inserts or replaces records by id. All records are checked before anything is written.
   * Vectors are stored L2-normalised (a zero vector stays zero and scores 0 against anything).
   * @throws DimensionMismatchError when a vector's length differs from `dimensions`.
   * @throws ValidationError for a missing or empty id, a missing vector, a vector that is not an
   *   array of finite numbers, a text that is not a string or metadata that is not an object.
   * @throws CapacityError when the new records would pass `maxRecords` or the runtime refuses
   *   memory for them (nothing is written).
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
    if (this.gate.idle) return this.table.write(records);
    const release = await this.gate.write();
    try {
      this.table.write(records);
    } finally {
      release();
    }
  }

  /** Deletes by id; unknown ids are ignored. */
  async delete(ids: string[], options?: CallOptions): Promise<void> {
    throwIfAborted(options?.signal);
    if (this.gate.idle) return this.table.remove(ids);
    const release = await this.gate.write();
    try {
      this.table.remove(ids);
    } finally {
      release();
    }
  }

  /**
   * Deletes every record matching `filter`; returns how many were deleted. A filter bounded by
   * `eq`/`in` on an indexed field (`indexedFields`, e.g. `parentId in [...] and parentVersion
   * nin [...]`) tests only the records the index lists; any other filter tests every record.
   * @throws FilterError for an invalid filter.
   */
  async deleteWhere(filter: Filter, options?: CallOptions): Promise<number> {
    throwIfAborted(options?.signal);
    const normal = pushDownNot(validateFilter(filter));
    const match = compileNormal(normal);
    const run = () => {
      const ids = this.table.matching(normal, match);
      this.table.remove(ids);
      return ids.length;
    };
    if (this.gate.idle) return run();
    const release = await this.gate.write();
    try {
      return run();
    } finally {
      release();
    }
  }

  async count(): Promise<number> {
    return this.table.size;
  }

  /** Checks a query and compiles its filter into a row predicate. */
  private prepare(vector: Float32Array | number[], options: VectorQueryOptions) {
    const d = this.dimensions;
    checkVector(vector, d, "query vector");
    const k = checkK(options?.k);
    const compiled = options.filter ? compileNormal(pushDownNot(validateFilter(options.filter))) : null;
    const { metadatas, texts } = this.table;
    const match = compiled ? (row: number) => compiled(metadatas[row]!, texts[row]!) : null;
    return { k, match, q: unitVector(vector, d) };
  }

  /** Candidates to rescore for `k`, or 0 when the float32 scan is cheaper for this `k`. */
  private candidatesFor(k: number, n: number): number {
    if (!this.rows.quantized) return 0;
    const c = Math.max(k + 16, Math.ceil(k * this.oversample));
    return c * 2 < n ? c : 0;
  }

  /**
   * Exact top-k by cosine similarity, best first; ties keep insertion order. Runs in a worker
   * thread when `workers` are set and the store holds at least 16,384 records.
   * @param vector - query vector of length `dimensions`, finite values (need not be normalised;
   *   a zero vector scores 0 against every record).
   * @param options - `k`: a non-negative integer; more than the stored records returns them all.
   * @throws DimensionMismatchError (wrong length), FilterError (bad filter), ValidationError
   *   (k not a non-negative integer, a vector that is not an array of finite numbers).
   */
  async query(vector: Float32Array | number[], options: VectorQueryOptions): Promise<VectorHit[]> {
    throwIfAborted(options?.signal);
    if (!this.slots || this.table.size < WORKER_MIN_ROWS) return this.querySync(vector, options);
    const { k, match, q } = this.prepare(vector, options);
    if (k === 0) return [];
    const release = await this.gate.read();
    const slot = await this.slots.acquire();
    try {
      this.pool ??= ScanPool.create(this.workers);
      const pool = await this.pool;
      const n = this.table.size;
      const candidates = this.candidatesFor(k, n);
      const qq = prepareQuery(this.rows, slot, q, candidates > 0);
      await pool.scan(this.rows, this.key, slot, n, qq?.scale);
      throwIfAborted(options.signal);
      return this.table.hits(
        this.select(slot, n, k, candidates, qq?.bound ?? 0, match),
        options.includeVectors,
      );
    } finally {
      this.slots.release(slot);
      release();
    }
  }

  /** Synchronous {@link query} on the calling thread, for hot paths and benchmarks. */
  querySync(vector: Float32Array | number[], options: VectorQueryOptions): VectorHit[] {
    const { k, match, q } = this.prepare(vector, options);
    const n = this.table.size;
    if (k === 0 || n === 0) return [];
    const candidates = this.candidatesFor(k, n);
    const qq = prepareQuery(this.rows, 0, q, candidates > 0);
    const want = Math.min(Math.max(k, candidates), n);
    if (qq && kernelSelects(this.rows, want, match)) {
      // scan and selection in one pass over the int8 rows
      const selected = scanSelectRows(this.rows, 0, n, qq.scale, want);
      const top = selectQuantized(this.rows, 0, n, k, candidates, qq.bound, match, this.lastScan, selected);
      return this.table.hits(top, options.includeVectors);
    }
    scanRows(this.rows, 0, n, qq?.scale);
    return this.table.hits(this.select(0, n, k, candidates, qq?.bound ?? 0, match), options.includeVectors);
  }

  private select(
    slot: number,
    n: number,
    k: number,
    candidates: number,
    bound: number,
    match: ((row: number) => boolean) | null,
  ) {
    if (candidates === 0) return selectTop(this.rows, slot, n, k, match).sorted();
    return selectQuantized(this.rows, slot, n, k, candidates, bound, match, this.lastScan);
  }

  /** Records by id with their (normalised) vectors; missing ids are skipped. */
  async get(ids: string[]): Promise<VectorRecord[]> {
    const out: VectorRecord[] = [];
    for (const id of ids) {
      const row = this.table.rowOf.get(id);
      if (row === undefined) continue;
      out.push({
        id,
        text: this.table.texts[row]!,
        metadata: { ...this.table.metadatas[row]! },
        vector: this.rows.getRow(row),
      });
    }
    return out;
  }

  /** Every stored document (no vectors) in pages of `pageSize` (@default 1000), in storage order. */
  async *scan(options: CallOptions & { pageSize?: number } = {}): AsyncIterable<Document[]> {
    const pageSize = options.pageSize ?? 1000;
    const ids = [...this.table.ids];
    const t = this.table;
    for (let i = 0; i < ids.length; i += pageSize) {
      throwIfAborted(options.signal);
      const page: Document[] = [];
      for (const id of ids.slice(i, i + pageSize)) {
        const row = t.rowOf.get(id);
        if (row !== undefined) page.push({ id, text: t.texts[row]!, metadata: { ...t.metadatas[row]! } });
      }
      yield page;
    }
  }

  /** Every stored id, in storage order. */
  listIds(): string[] {
    return [...this.table.ids];
  }

  /** Stops the worker threads, if any were started (queries then start them again). */
  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = null;
    if (pool) await (await pool).destroy();
  }

  /**
   * Saves the store to one file, format 2: the magic `RAGLOOM-VS2`, a uint64 header length, a
   * JSON header (scope, dimensions, ids, texts, metadata), the raw little-endian float32 rows
   * and a SHA-256 checksum of all the preceding bytes. The contents are those when `save` is
   * called (after the writes issued before it); writes issued while the rows are being
   * written wait for them (the rows are written from memory, not copied). Saves of one store
   * run one after the other, and each writes a temporary file that is fsynced and renamed over
   * `path`, so readers and a crash only ever see a whole file (the old one or the new one).
   * @param path - file to write; its directory must exist.
   * @throws the file system's error (e.g. ENOENT for a missing directory); `path` is then untouched.
   */
  save(path: string): Promise<void> {
    const capture = (release: () => void) => {
      try {
        const chunks = encodeVectorStoreFile(
          {
            dimensions: this.dimensions,
            scope: this.scope,
            ids: this.table.ids,
            texts: this.table.texts,
            metadatas: this.table.metadatas,
          },
          [...this.rows.rowBytes(this.table.size)],
        );
        return { chunks, release };
      } catch (error) {
        release();
        throw error;
      }
    };
    const now = this.gate.tryRead();
    const captured = now ? Promise.resolve(capture(now)) : this.gate.read().then(capture);
    const run = Promise.all([captured, this.saving]).then(([c]) =>
      writeFileAtomic(path, c.chunks).finally(c.release),
    );
    this.saving = run.catch(() => {});
    return run;
  }

  /**
   * Loads a store written by {@link save} (format 2, or format 1 of earlier versions), reading
   * the rows from the file in chunks straight into the store's memory.
   * @throws CorruptFileError (a {@link ValidationError}) when the file is not a ragloom vector
   *   store file, is truncated, fails its checksum, or holds duplicate ids, non-finite vectors
   *   or records of inconsistent shape; CapacityError when its records exceed `maxRecords` or
   *   the memory; the file system's error when it cannot be read.
   */
  static async load(
    path: string,
    options: InMemoryVectorStoreLoadOptions = {},
  ): Promise<InMemoryVectorStore> {
    let store: InMemoryVectorStore | undefined;
    const contents = await readVectorStoreFile(path, (c) => {
      store = new InMemoryVectorStore({
        ...options,
        scope: options.scope ?? c.scope,
        dimensions: c.dimensions,
        initialCapacity: Math.max(1, c.ids.length),
      });
      const rows = store.rows;
      rows.ensureCapacity(c.ids.length); // CapacityError beyond maxRecords
      return (chunk, offset) => rows.writeRowBytes(offset, chunk);
    });
    const loaded = store!;
    const n = contents.ids.length;
    assertFiniteStorage(loaded.rows, n, contents.dimensions, contents.ids, path);
    loaded.rows.requantize(n);
    loaded.table.adopt(contents.ids, contents.texts, contents.metadatas);
    return loaded;
  }
}
