import { ValidationError } from "../errors/errors.js";
import type { HnswParams } from "./hnsw-file.js";
import type { UsearchIndex, UsearchModule } from "./usearch-module.js";

/** Options of {@link createHnswVectorStore}. */
export interface HnswVectorStoreOptions {
  /** Length of every vector. */
  dimensions: number;
  /**
   * Graph degree M (links per node and layer). The defaults of `connectivity`, `expansionAdd`,
   * `expansionSearch` and `quantization` are the settings measured to reach recall@10 0.98 at
   * 1,000,000 vectors: on 1M SciFact-like 384-d vectors (`bench/scale.ts`, one core) they give
   * recall@10 0.986 against exact search at 0.79 ms p50, built in 487 s, where M 16,
   * efConstruction 128, ef 64, f32 gave 0.865 at 0.76 ms (ef 128: 0.931 at 0.88 ms). On SciFact
   * (5,183 abstracts) they score nDCG@10 0.6602, as exact search. Fewer links and smaller
   * candidate lists build faster and use less memory at lower recall. @default 32
   */
  connectivity?: number;
  /** Candidate list size while inserting (efConstruction). @default 256 */
  expansionAdd?: number;
  /**
   * Candidate list size while searching (ef); a query for `k` results searches with
   * max(ef, k). Higher is more accurate and slower. @default 192
   */
  expansionSearch?: number;
  /**
   * Scalar type of the graph's copy of the vectors: `"f16"` or `"i8"` halve or quarter its
   * memory. Results are always rescored against the float32 rows, so scores are exact; with
   * `"f16"` or `"i8"` an unfiltered query rescores the graph's max(k, ef) best, not only its k
   * best, so that the approximate distances' ordering errors among near neighbours cost little recall.
   * `"i8"` is also faster to build and to search: on 1,000,000 SciFact-like 384-d vectors (M 32,
   * efConstruction 256, `bench/scale.ts`), `"i8"` at ef 192 gives recall@10 0.986 at 0.79 ms p50
   * on one core, `"f32"` 0.988 at 1.37 ms, and the i8 graph builds in 487 s against 1,064 s.
   * @default "i8"
   */
  quantization?: "f32" | "f16" | "i8";
  /** Threads for inserting a batch (0: one per core). Searches use one thread. @default 0 */
  threads?: number;
  /** Identity of this store's data (`VectorStore.scope`). @default `hnsw:` and a random UUID (kept by `save`) */
  scope?: string;
  /** The `usearch` module, to inject one (e.g. a build of your own). @default imported lazily */
  usearch?: UsearchModule;
}

/** Options of {@link HnswVectorStore.load}. */
export interface HnswVectorStoreLoadOptions {
  /** @default the scope saved in the file */
  scope?: string;
  /** As in {@link HnswVectorStoreOptions.threads}. @default 0 */
  threads?: number;
  /**
   * Search candidate list (ef) of the loaded store: tune recall against speed without
   * rebuilding the graph. @default the saved one
   */
  expansionSearch?: number;
  /** As in {@link HnswVectorStoreOptions.usearch}. */
  usearch?: UsearchModule;
}

/** A filtered search that would need more than this fraction of the records scans them exactly. */
export const EXACT_SCAN_FRACTION = 0.1;

export function checkPositiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value <= 0)
    throw new ValidationError(`${name} must be a positive integer, got ${String(value)}`);
  return value;
}

/** L2-normalises `v` into `out` (a zero vector stays zero); returns the norm. */
export function normalizeInto(v: ArrayLike<number>, out: Float32Array): number {
  let max = 0;
  for (let i = 0; i < out.length; i++) max = Math.max(max, Math.abs(v[i]!));
  if (max === 0) {
    out.fill(0);
    return 0;
  }
  let sum = 0;
  for (let i = 0; i < out.length; i++) sum += (v[i]! / max) ** 2;
  const norm = Math.sqrt(sum) * max;
  for (let i = 0; i < out.length; i++) out[i] = v[i]! / norm;
  return norm;
}

/** A usearch index (cosine metric, one vector per key) with these parameters. */
export function newIndex(usearch: UsearchModule, dimensions: number, params: HnswParams): UsearchIndex {
  return new usearch.Index({
    dimensions,
    metric: "cos",
    quantization: params.quantization,
    connectivity: params.connectivity,
    expansion_add: params.expansionAdd,
    expansion_search: params.expansionSearch,
    multi: false,
  });
}
