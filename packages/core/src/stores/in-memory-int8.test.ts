import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { F } from "../filter/builders.js";
import type { Filter } from "../filter/types.js";
import type { VectorRecord } from "../types/vector-store.js";
import { InMemoryVectorStore } from "./in-memory-vector-store.js";

let seed = 17;
const rand = () => {
  seed = (seed * 16807) % 2147483647;
  return seed / 2147483647 - 0.5;
};
const vec = (d: number) => Array.from({ length: d }, rand);
const dir = mkdtempSync(join(tmpdir(), "ragloom-int8-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const records = (n: number, d: number, make = () => vec(d)): VectorRecord[] =>
  Array.from({ length: n }, (_, i) => ({
    id: `r${i}`,
    text: `text ${i}`,
    metadata: { m: i % 10, group: `g${i % 3}` },
    vector: make(),
  }));

/** The int8 store and a float32 store over the same records. */
async function pair(recs: VectorRecord[], d: number, extra: object = {}) {
  const int8 = new InMemoryVectorStore({ dimensions: d, ...extra });
  const float = new InMemoryVectorStore({ dimensions: d, quantization: "none" });
  await int8.upsert(recs);
  await float.upsert(recs);
  return { int8, float };
}

const same = (a: InMemoryVectorStore, b: InMemoryVectorStore, q: number[], k: number, filter?: Filter) =>
  expect(a.querySync(q, { k, filter })).toEqual(b.querySync(q, { k, filter }));

describe("int8 scan with float32 rescoring", () => {
  it("is on by default where the SIMD kernel runs", () => {
    expect(new InMemoryVectorStore({ dimensions: 16 }).quantization).toBe("int8");
    expect(new InMemoryVectorStore({ dimensions: 16, quantization: "none" }).quantization).toBe("none");
    expect(new InMemoryVectorStore({ dimensions: 16, simd: false }).quantization).toBe("none");
    expect(new InMemoryVectorStore({ dimensions: 12 }).quantization).toBe("none"); // 12 % 8 ≠ 0
  });

  it("returns the float32 scan's ids, scores and order on random data (k = 1, 10, 100, filters)", async () => {
    const d = 64;
    const { int8, float } = await pair(records(3000, d), d);
    const filters: Array<Filter | undefined> = [
      undefined,
      F.eq("m", 3),
      F.in("group", ["g0", "g2"]),
      F.ne("m", 1),
    ];
    let rescoredOnly = 0;
    for (let t = 0; t < 30; t++) {
      const q = vec(d);
      for (const k of [1, 10, 100]) {
        for (const filter of filters) {
          same(int8, float, q, k, filter);
          if (!int8.lastScan.widened) rescoredOnly++;
        }
      }
    }
    // the quantised path ran (rescoring a few candidates, not the store)
    expect(int8.lastScan.rescored).toBeLessThan(1000);
    expect(rescoredOnly).toBeGreaterThan(300);
  });

  it("stays exact where the error bound cannot separate the candidates (near-duplicate vectors)", async () => {
    const d = 32;
    const base = vec(d);
    // 2,000 vectors within 1e-3 of one another: the int8 error is larger than their differences
    const { int8, float } = await pair(
      records(2000, d, () => base.map((x) => x + rand() * 1e-3)),
      d,
    );
    let widened = 0;
    for (let t = 0; t < 10; t++) {
      const q = base.map((x) => x + rand() * 0.5);
      same(int8, float, q, 10);
      same(int8, float, q, 10, F.eq("m", 4));
      if (int8.lastScan.widened) widened++;
    }
    expect(widened).toBeGreaterThan(0);
  });

  it("keeps ties in insertion order, like the float32 scan (duplicate vectors)", async () => {
    const d = 16;
    const v = vec(d);
    const recs = records(400, d, () => (rand() < 0.5 ? v : vec(d)));
    const { int8, float } = await pair(recs, d);
    for (const k of [5, 50]) same(int8, float, v, k);
  });

  it("stays exact across upserts that replace rows and deletes that move them", async () => {
    const d = 48;
    const { int8, float } = await pair(records(1500, d), d);
    const replacements = records(200, d).map((r, i) => ({ ...r, id: `r${i * 7}` }));
    for (const store of [int8, float]) {
      await store.delete(Array.from({ length: 300 }, (_, i) => `r${i * 5}`));
      await store.upsert(replacements);
    }
    seed = 99;
    for (let t = 0; t < 10; t++) same(int8, float, vec(d), 10);
  });

  it("uses the float32 scan when k is large for the store, with the same answer", async () => {
    const d = 16;
    const { int8, float } = await pair(records(100, d), d);
    same(int8, float, vec(d), 60);
    same(int8, float, vec(d), 1e9);
  });

  it("rebuilds the int8 copy on load: a loaded store answers as the saved one", async () => {
    const d = 64;
    const { int8 } = await pair(records(1200, d), d);
    const file = join(dir, "int8.bin");
    await int8.save(file);
    const loaded = await InMemoryVectorStore.load(file);
    expect(loaded.quantization).toBe("int8");
    const asFloat = await InMemoryVectorStore.load(file, { quantization: "none" });
    expect(asFloat.quantization).toBe("none");
    for (let t = 0; t < 5; t++) {
      const q = vec(d);
      same(loaded, int8, q, 10);
      same(loaded, asFloat, q, 10);
    }
  });

  it("rejects a bad quantization or oversample", () => {
    expect(() => new InMemoryVectorStore({ dimensions: 8, quantization: "int4" as never })).toThrow(
      /quantization/,
    );
    expect(() => new InMemoryVectorStore({ dimensions: 8, oversample: 0.5 })).toThrow(/oversample/);
  });
});
