import { ValidationError } from "../errors/errors.js";
import { MAX_ROWS } from "../math/row-storage.js";

/** Most records an {@link InMemoryVectorStore} holds: 2²⁴ = 16,777,216 (V8's largest `Map`). */
export const IN_MEMORY_MAX_RECORDS = MAX_ROWS;

/**
 * Default oversampling of the int8 scan: `max(2·k, k + 16)` candidates are rescored. Measured
 * on SciFact with all-MiniLM-L6-v2 vectors (`bench/exact-scan.ts`): the float32 scan's top-10
 * lies within the int8 scan's top-11 for 99.9% of the 809 claims (top-12 for all of them); with
 * 26 candidates the error bound certifies the top-10 of 97% of claims at once and the rest take
 * a second pass. Larger factors only rescore more rows; smaller ones widen more often. Results
 * are exact whatever the factor.
 */
export const DEFAULT_OVERSAMPLE = 2;

/** Stores with fewer rows scan on the calling thread even when `workers` are set. */
export const WORKER_MIN_ROWS = 16_384;

/** Options shared by the {@link InMemoryVectorStore} constructor and {@link InMemoryVectorStore.load}. */
export interface InMemoryVectorStoreTuning {
  /**
   * Score with the WebAssembly SIMD kernel (when the runtime supports it and `dimensions` is a
   * multiple of 8; else an unrolled JavaScript loop). @default true
   */
  simd?: boolean;
  /**
   * `"int8"`: keep a scalar-quantised int8 copy of every row (a quarter of the bytes), scan it,
   * and rescore the best candidates against the float32 rows; an error bound decides whether
   * they provably hold the top-k and, if not, more rows are rescored, so results (ids, scores,
   * tie order) are those of the float32 scan. Costs 25% more memory. Needs the SIMD kernel:
   * elsewhere the float32 scan runs. `"none"`: scan the float32 rows. @default "int8"
   */
  quantization?: "int8" | "none";
  /**
   * Candidates rescored per query, as a multiple of `k` (at least `k + 16`); a speed knob only,
   * results are exact whatever it is. @default 2 ({@link DEFAULT_OVERSAMPLE})
   */
  oversample?: number;
  /**
   * Rows per segment (each segment is one WebAssembly memory), a power of two ≥ 2.
   * @default the largest power of two whose segment fits in 2 GiB (1,048,576 rows at 384 dimensions)
   */
  segmentRows?: number;
  /** Most records; a write beyond throws `CapacityError`. @default 16,777,216 ({@link IN_MEMORY_MAX_RECORDS}) */
  maxRecords?: number;
  /**
   * Metadata fields with a value → records index, so `deleteWhere` (and `delete` of a whole
   * document's chunks) by `eq`/`in` on them touches only the matching records.
   * @default ["parentId"] (what `createRetriever` deletes old chunk versions by)
   */
  indexedFields?: string[];
  /**
   * Worker threads that scan for `query` (not `querySync`) on stores of at least 16,384
   * records, so the event loop stays free; rows live in shared memory. Needs the optional peer
   * dependency `piscina`. Writes wait for the scans in flight. Call {@link InMemoryVectorStore.close}
   * to stop them. @default 0 (scan on the calling thread)
   */
  workers?: number;
}

/** Options of {@link InMemoryVectorStore}. */
export interface InMemoryVectorStoreOptions extends InMemoryVectorStoreTuning {
  /** Length of every vector. */
  dimensions: number;
  /** Initial capacity in records (grows by doubling). @default 1024 */
  initialCapacity?: number;
  /**
   * Identity of this store's data, for result caches ({@link VectorStore.scope}).
   * @default `in-memory:` and a random UUID, unique to the instance (kept by {@link InMemoryVectorStore.save})
   */
  scope?: string;
}

/** Options of {@link InMemoryVectorStore.load}. */
export interface InMemoryVectorStoreLoadOptions extends InMemoryVectorStoreTuning {
  /**
   * Scope of the loaded store. @default the scope saved in the file, so a reloaded store keeps
   * its identity (a version 1 file, which has none, gets a new random one)
   */
  scope?: string;
}

/**
 * Euclidean norm of `v`, computed on values scaled by the largest one so that squaring never
 * overflows (a vector of 1e200s has norm 1e200·√d, not Infinity).
 */
export function norm(v: ArrayLike<number>, d: number): number {
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
 * `v` scaled to unit length by {@link norm} (the same norm the stored rows are scaled by), as a
 * new Float32Array of `d` values; a zero vector stays zero.
 */
export function unitVector(v: ArrayLike<number>, d: number): Float32Array {
  const n = norm(v, d);
  const inv = n > 0 ? 1 / n : 0;
  const out = new Float32Array(d);
  for (let i = 0; i < d; i++) out[i] = v[i]! * inv;
  return out;
}

export const positiveInteger = (v: unknown) => typeof v === "number" && Number.isInteger(v) && v > 0;

/** Checks the tuning options; returns them with their defaults. */
export function resolveTuning(options: InMemoryVectorStoreTuning) {
  const quantization = options.quantization ?? "int8";
  if (quantization !== "int8" && quantization !== "none") {
    throw new ValidationError(`quantization must be "int8" or "none", got ${String(quantization)}`);
  }
  const oversample = options.oversample ?? DEFAULT_OVERSAMPLE;
  if (!(oversample >= 1 && Number.isFinite(oversample))) {
    throw new ValidationError(`oversample must be a finite number ≥ 1, got ${oversample}`);
  }
  const maxRecords = options.maxRecords ?? IN_MEMORY_MAX_RECORDS;
  if (!positiveInteger(maxRecords) || maxRecords > IN_MEMORY_MAX_RECORDS) {
    throw new ValidationError(
      `maxRecords must be an integer in [1, ${IN_MEMORY_MAX_RECORDS}], got ${maxRecords}`,
    );
  }
  const workers = options.workers ?? 0;
  if (!Number.isInteger(workers) || workers < 0 || workers > 256) {
    throw new ValidationError(`workers must be an integer in [0, 256], got ${options.workers}`);
  }
  return {
    quantization,
    oversample,
    maxRecords,
    workers,
    simd: options.simd ?? true,
    segmentRows: options.segmentRows,
    indexedFields: options.indexedFields ?? ["parentId"],
  };
}
