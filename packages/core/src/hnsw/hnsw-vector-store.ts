import { unlink } from "node:fs/promises";
import { CorruptFileError, throwIfAborted, ValidationError } from "../errors/errors.js";
import { compileFilter } from "../filter/evaluate.js";
import type { Filter } from "../filter/types.js";
import { checkK, checkVector } from "../math/check-vector.js";
import { TopK } from "../math/top-k.js";
import { encodeSnapshot, writeFileAtomic } from "../stores/snapshot-file.js";
import type { Document, Metadata } from "../types/document.js";
import type { CallOptions } from "../types/embedder.js";
import type { VectorHit, VectorQueryOptions, VectorRecord, VectorStore } from "../types/vector-store.js";
import {
  HNSW_MAGIC,
  type HnswFileHeader,
  type HnswParams,
  readHnswFile,
  readPieces,
  tempPathNear,
} from "./hnsw-file.js";
import {
  checkPositiveInteger,
  EXACT_SCAN_FRACTION,
  type HnswVectorStoreLoadOptions,
  newIndex,
  normalizeInto,
} from "./hnsw-options.js";
import { RowSegments } from "./row-segments.js";
import { importUsearch, type UsearchIndex } from "./usearch-module.js";

/**
 * Approximate nearest-neighbour search on an HNSW graph (Malkov & Yashunin, "Efficient and
 * robust approximate nearest neighbor search using Hierarchical Navigable Small World graphs",
 * TPAMI 2018) built by usearch, a native library (an optional peer dependency with prebuilt
 * binaries), with the {@link VectorStore} contract of the exact stores.
 *
 * Vectors are L2-normalised on upsert and kept as float32 rows next to the graph; the graph's
 * candidates are rescored against those rows, so `score` is the exact cosine similarity in
 * [-1, 1] and only the candidate set is approximate. A filter is applied to the graph's
 * candidates with adaptive over-fetch: it asks the graph for 2·max(k, ef) candidates, and for more
 * (by the observed selectivity, ×2 to ×16) until max(k, ef) of them match, as many as an
 * unfiltered query ranks; when that would need more than a tenth of the records, or `k` reaches
 * the record count, it scans the matching rows exactly instead, so a filtered query returns
 * min(k, matches) results.
 * Deletes remove nodes from the graph; ids, texts, metadata and scope are saved with it.
 *
 * Inserting and searching run synchronously in native code (a batch of upserts blocks the event
 * loop while it is inserted: write large imports in batches of a few thousand).
 */
export class HnswVectorStore implements VectorStore {
  readonly kind = "hnsw";
  readonly dimensions: number;
  readonly scope: string;
  readonly params: Readonly<HnswParams>;
  private readonly threads: number;
  private rows: RowSegments;
  private ids: Array<string | undefined> = [];
  private texts: string[] = [];
  private metadatas: Metadata[] = [];
  private readonly slotOf = new Map<string, number>();
  private free: number[] = [];
  private saving: Promise<unknown> = Promise.resolve();

  /** Use {@link createHnswVectorStore} or {@link HnswVectorStore.load}. */
  constructor(
    private index: UsearchIndex,
    options: { dimensions: number; params: HnswParams; scope: string; threads: number },
  ) {
    this.dimensions = options.dimensions;
    this.params = Object.freeze({ ...options.params });
    this.scope = options.scope;
    this.threads = options.threads;
    this.rows = new RowSegments(this.dimensions);
  }

  /** Number of stored records (synchronous). */
  get size(): number {
    return this.slotOf.size;
  }

  /**
   * Inserts or replaces records by id (a replaced record's node is removed from the graph and
   * inserted again). All records are checked before anything is written; within one call the
   * last record of an id wins.
   * @throws DimensionMismatchError; ValidationError for a missing or empty id, a missing or
   *   non-finite vector, a text that is not a string or metadata that is not an object.
   */
  async upsert(records: VectorRecord[], options?: CallOptions): Promise<void> {
    throwIfAborted(options?.signal);
    if (!Array.isArray(records)) throw new ValidationError("records must be an array");
    const last = new Map<string, VectorRecord>();
    for (const r of records) {
      if (typeof r?.id !== "string" || r.id.length === 0)
        throw new ValidationError("record id must be a non-empty string");
      checkVector(r.vector, this.dimensions, `vector of "${r.id}"`);
      if (typeof r.text !== "string") throw new ValidationError(`text of "${r.id}" must be a string`);
      if (r.metadata !== undefined && (typeof r.metadata !== "object" || Array.isArray(r.metadata)))
        throw new ValidationError(`metadata of "${r.id}" must be an object`);
      last.delete(r.id);
      last.set(r.id, r);
    }
    if (last.size === 0) return;
    const d = this.dimensions;
    const batch = new Float32Array(last.size * d);
    const keys = new BigUint64Array(last.size);
    const replaced: bigint[] = [];
    const slots: number[] = [];
    let next = this.ids.length;
    let reused = 0;
    let j = 0;
    for (const r of last.values()) {
      let slot = this.slotOf.get(r.id);
      if (slot !== undefined) replaced.push(BigInt(slot));
      else slot = reused < this.free.length ? this.free[this.free.length - 1 - reused++]! : next++;
      slots.push(slot);
      keys[j] = BigInt(slot);
      normalizeInto(r.vector, batch.subarray(j * d, j * d + d));
      j++;
    }
    if (replaced.length) this.index.remove(BigUint64Array.from(replaced));
    this.index.add(keys, batch, this.threads);
    this.free.length -= reused;
    this.rows.ensure(next);
    j = 0;
    for (const r of last.values()) {
      const slot = slots[j]!;
      this.rows.row(slot).set(batch.subarray(j * d, j * d + d));
      this.ids[slot] = r.id;
      this.texts[slot] = r.text;
      this.metadatas[slot] = { ...r.metadata };
      this.slotOf.set(r.id, slot);
      j++;
    }
  }

  /** Deletes by id; unknown ids are ignored. */
  async delete(ids: string[], options?: CallOptions): Promise<void> {
    throwIfAborted(options?.signal);
    const keys: bigint[] = [];
    for (const id of new Set(ids)) {
      const slot = this.slotOf.get(id);
      if (slot === undefined) continue;
      keys.push(BigInt(slot));
      this.slotOf.delete(id);
      this.ids[slot] = undefined;
      this.texts[slot] = "";
      this.metadatas[slot] = {};
      this.rows.row(slot).fill(0);
      this.free.push(slot);
    }
    if (keys.length) this.index.remove(BigUint64Array.from(keys));
  }

  /** Deletes every record matching `filter` (O(n) evaluation); returns how many were deleted. */
  async deleteWhere(filter: Filter, options?: CallOptions): Promise<number> {
    const match = compileFilter(filter);
    const ids: string[] = [];
    for (const [id, slot] of this.slotOf) if (match(this.metadatas[slot]!, this.texts[slot]!)) ids.push(id);
    await this.delete(ids, options);
    return ids.length;
  }

  async count(): Promise<number> {
    return this.slotOf.size;
  }

  /**
   * Approximate top-k by cosine similarity, best first (scores exact, ties by slot).
   * @param vector - query vector of length `dimensions`, finite values (need not be normalised).
   * @param options - `k`: a non-negative integer; k at or above the record count returns every
   *   matching record (exactly ranked).
   * @throws DimensionMismatchError, FilterError, ValidationError (as the in-memory store).
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
    const n = this.slotOf.size;
    if (k === 0 || n === 0) return [];
    const q = new Float32Array(d);
    if (normalizeInto(vector, q) === 0 || k >= n) return this.hits(this.exact(q, k, match), options);
    // a filtered search collects as many matching candidates as an unfiltered one ranks (max(k, ef))
    const enough = match ? Math.max(k, this.params.expansionSearch) : k;
    // a quantised graph ranks by approximate distances: its ef best are rescored exactly, so its
    // ordering errors among near neighbours do not drop true top-k rows (asking the graph for up
    // to ef results costs no more steps: it keeps an ef-wide beam either way)
    const depth = this.params.quantization === "f32" ? k : Math.max(k, this.params.expansionSearch);
    let want = match ? Math.max(2 * enough, this.params.expansionSearch) : depth;
    for (;;) {
      const asked = Math.min(want, n);
      const { keys } = this.index.search(q, asked, 1);
      const top = new TopK(k);
      let matched = 0;
      for (let i = 0; i < keys.length; i++) {
        const slot = Number(keys[i]!);
        if (match && !match(this.metadatas[slot]!, this.texts[slot]!)) continue;
        matched++;
        top.push(this.rows.dot(slot, q), slot);
      }
      // enough, or the graph had no more to give (every record seen)
      if (matched >= enough || asked >= n) return this.hits(top, options);
      // too few: grow by the observed selectivity (at least ×2), or scan exactly when that is cheaper
      want = Math.ceil(asked * Math.max(2, Math.min(16, (1.2 * enough) / Math.max(1, matched))));
      if (!match || want > n * EXACT_SCAN_FRACTION) return this.hits(this.exact(q, k, match), options);
    }
  }

  /** Exact top-k over every (matching) row. */
  private exact(q: Float32Array, k: number, match: ((m: Metadata, t: string) => boolean) | null): TopK {
    const top = new TopK(Math.min(k, this.slotOf.size));
    for (let slot = 0; slot < this.ids.length; slot++) {
      if (this.ids[slot] === undefined) continue;
      if (match && !match(this.metadatas[slot]!, this.texts[slot]!)) continue;
      top.push(this.rows.dot(slot, q), slot);
    }
    return top;
  }

  private hits(top: TopK, options: VectorQueryOptions): VectorHit[] {
    return top.sorted().map(({ index, score }) => {
      const hit: VectorHit = {
        id: this.ids[index]!,
        text: this.texts[index]!,
        metadata: { ...this.metadatas[index]! },
        score,
      };
      if (options.includeVectors) hit.vector = this.rows.row(index).slice();
      return hit;
    });
  }

  /** Records by id with their (normalised) vectors; missing ids are skipped. */
  async get(ids: string[]): Promise<VectorRecord[]> {
    const out: VectorRecord[] = [];
    for (const id of ids) {
      const slot = this.slotOf.get(id);
      if (slot === undefined) continue;
      out.push({
        id,
        text: this.texts[slot]!,
        metadata: { ...this.metadatas[slot]! },
        vector: this.rows.row(slot).slice(),
      });
    }
    return out;
  }

  /** Every stored document (no vectors) in pages of `pageSize` (@default 1000), in slot order. */
  async *scan(options: CallOptions & { pageSize?: number } = {}): AsyncIterable<Document[]> {
    const pageSize = options.pageSize ?? 1000;
    const ids = this.ids.filter((id): id is string => id !== undefined);
    for (let i = 0; i < ids.length; i += pageSize) {
      throwIfAborted(options.signal);
      const page: Document[] = [];
      for (const id of ids.slice(i, i + pageSize)) {
        const slot = this.slotOf.get(id);
        if (slot !== undefined)
          page.push({ id, text: this.texts[slot]!, metadata: { ...this.metadatas[slot]! } });
      }
      yield page;
    }
  }

  /**
   * Saves the store (graph, rows, ids, texts, metadata, parameters, scope) to one file in the
   * format of `hnsw-file.ts` (magic `RAGLOOM-HN1`, JSON header, float32 rows, the usearch index,
   * SHA-256 trailer). The contents are taken when `save` is called (the rows are copied); saves
   * of one store run one after the other; the file is written to a temporary file, fsynced and
   * renamed over `path`, so readers and a crash only see a whole file.
   * @param path - file to write; its directory must exist.
   * @throws the file system's or usearch's error; `path` is then untouched.
   */
  save(path: string): Promise<void> {
    const slots = this.ids.length;
    const header: HnswFileHeader = {
      format: 1,
      scope: this.scope,
      dimensions: this.dimensions,
      params: { ...this.params },
      slots,
      ids: Array.from(this.ids, (id) => id ?? null),
      texts: this.texts.slice(),
      metadatas: this.metadatas.slice(),
      indexBytes: 0,
    };
    const rows = this.rows.bytes(slots).map((b) => b.slice());
    const indexFile = tempPathNear(path, "usearch");
    let indexSaved: Error | undefined;
    try {
      this.index.save(indexFile);
    } catch (error) {
      indexSaved = error as Error;
    }
    const run = this.saving.then(async () => {
      if (indexSaved) throw indexSaved;
      let pieces: Uint8Array[];
      try {
        pieces = await readPieces(indexFile);
      } finally {
        await unlink(indexFile).catch(() => {});
      }
      header.indexBytes = pieces.reduce((s, p) => s + p.length, 0);
      await writeFileAtomic(
        path,
        encodeSnapshot({ magic: HNSW_MAGIC, header, payload: [...rows, ...pieces] }),
      );
    });
    this.saving = run.catch(() => {});
    return run;
  }

  /**
   * Loads a store written by {@link save}, checking it fully (checksum, structure, finite rows,
   * and that the graph holds exactly the saved records).
   * @throws CorruptFileError when a check fails; ServiceError when usearch is not installed;
   *   the file system's error when the file cannot be read.
   */
  static async load(path: string, options: HnswVectorStoreLoadOptions = {}): Promise<HnswVectorStore> {
    const usearch = options.usearch ?? (await importUsearch());
    const { header, rows, indexPath } = await readHnswFile(path);
    const params: HnswParams = {
      ...header.params,
      expansionSearch:
        options.expansionSearch === undefined
          ? header.params.expansionSearch
          : checkPositiveInteger("expansionSearch", options.expansionSearch),
    };
    let index: UsearchIndex;
    try {
      index = newIndex(usearch, header.dimensions, params);
      index.load(indexPath);
    } catch (cause) {
      throw new CorruptFileError(path, "the HNSW graph cannot be loaded", { cause });
    } finally {
      await unlink(indexPath).catch(() => {});
    }
    const store = new HnswVectorStore(index, {
      dimensions: header.dimensions,
      params,
      scope: options.scope ?? header.scope,
      threads: options.threads ?? 0,
    });
    store.rows = rows;
    const live: bigint[] = [];
    header.ids.forEach((id, slot) => {
      if (id === null) {
        store.ids[slot] = undefined;
        store.texts[slot] = "";
        store.metadatas[slot] = {};
        store.free.push(slot);
        return;
      }
      store.ids[slot] = id;
      store.texts[slot] = header.texts[slot]!;
      store.metadatas[slot] = header.metadatas[slot]!;
      store.slotOf.set(id, slot);
      live.push(BigInt(slot));
    });
    const present = live.length ? index.contains(BigUint64Array.from(live)) : [];
    if (index.size() !== live.length || (Array.isArray(present) ? present : [present]).some((p) => !p))
      throw new CorruptFileError(path, `the HNSW graph does not hold the ${live.length} saved records`);
    return store;
  }
}
