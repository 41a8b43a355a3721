import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Document, InMemoryVectorStore } from "@ragloom/core";
import { createHnswVectorStore, HnswVectorStore } from "@ragloom/core/hnsw";
import { timed } from "./report.js";
import type { Variant } from "./retrieval-variant.js";

export const DENSE_INT8 = 'ragloom dense (in-memory, quantization "int8": int8 scan + float rescoring)';
export const DENSE_FLOAT = 'ragloom dense (in-memory, quantization "none": float scan)';
/** HNSW graph parameters of the rows: M (connectivity) and efConstruction (expansionAdd). */
export const HNSW_M = 16;
export const HNSW_EF_CONSTRUCTION = 128;
/** Search candidate lists (ef) of the HNSW rows; a query for k searches with max(ef, k). */
export const HNSW_EFS = [16, 64] as const;
export const hnswName = (ef: number) =>
  `ragloom HNSW (usearch, M=${HNSW_M}, efConstruction=${HNSW_EF_CONSTRUCTION}, ef=${ef})`;

/**
 * Dense store variants on the same vectors, searched with the precomputed query vectors
 * (`queryVector`: query text → vector): `InMemoryVectorStore` with `quantization: "int8"` (the
 * default) and `"none"`, and `HnswVectorStore` (one graph, built once with the default thread
 * count and loaded again per ef in {@link HNSW_EFS}).
 * @returns the variants and their build times in ms (`indexing`).
 */
export async function storeVariants(
  corpus: Document[],
  docVectors: Float32Array[],
  queryVector: Map<string, Float32Array>,
): Promise<{ variants: Variant[]; indexing: Record<string, number> }> {
  const records = corpus.map((d, i) => ({ ...d, vector: docVectors[i]! }));
  const exact = async (quantization: "int8" | "none") =>
    timed(async () => {
      const s = new InMemoryVectorStore({ dimensions: 384, initialCapacity: corpus.length, quantization });
      await s.upsert(records);
      return s;
    });
  const [int8, int8Ms] = await exact("int8");
  const [float, floatMs] = await exact("none");
  const [hnsw, hnswMs] = await timed(async () => {
    const s = await createHnswVectorStore({
      dimensions: 384,
      connectivity: HNSW_M,
      expansionAdd: HNSW_EF_CONSTRUCTION,
      expansionSearch: HNSW_EFS[HNSW_EFS.length - 1],
    });
    await s.upsert(records);
    return s;
  });
  const dir = mkdtempSync(join(tmpdir(), "ragloom-bench-hnsw-"));
  const hnswByEf = new Map<number, HnswVectorStore>();
  try {
    await hnsw.save(join(dir, "scifact.hnsw"));
    for (const ef of HNSW_EFS)
      hnswByEf.set(ef, await HnswVectorStore.load(join(dir, "scifact.hnsw"), { expansionSearch: ef }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const qv = (q: string) => queryVector.get(q)!;
  return {
    variants: [
      { name: DENSE_INT8, search: async (q, k) => int8.querySync(qv(q), { k }) },
      { name: DENSE_FLOAT, search: async (q, k) => float.querySync(qv(q), { k }) },
      ...HNSW_EFS.map((ef) => ({
        name: hnswName(ef),
        search: async (q: string, k: number) => hnswByEf.get(ef)!.querySync(qv(q), { k }),
      })),
    ],
    indexing: {
      'dense index build ms, quantization "int8"': int8Ms,
      'dense index build ms, quantization "none"': floatMs,
      [`HNSW build ms (M=${HNSW_M}, efConstruction=${HNSW_EF_CONSTRUCTION}, default threads)`]: hnswMs,
    },
  };
}
