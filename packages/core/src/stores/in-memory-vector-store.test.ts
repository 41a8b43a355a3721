import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ValidationError } from "../errors/errors.js";
import { F } from "../filter/builders.js";
import { cosineSimilarity } from "../math/vector.js";
import { InMemoryVectorStore } from "./in-memory-vector-store.js";

let seed = 42;
const rand = () => {
  seed = (seed * 16807) % 2147483647;
  return seed / 2147483647 - 0.5;
};
const vec = (d: number) => Array.from({ length: d }, rand);
const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe("InMemoryVectorStore", () => {
  it("matches a brute-force cosine ranking on random data, across growth and deletes", async () => {
    const d = 384;
    const store = new InMemoryVectorStore({ dimensions: d, initialCapacity: 8 });
    const records = Array.from({ length: 600 }, (_, i) => ({
      id: `r${i}`,
      text: `t${i}`,
      metadata: { even: i % 2 === 0 },
      vector: vec(d),
    }));
    await store.upsert(records);
    await store.delete(records.filter((_, i) => i % 7 === 0).map((r) => r.id));
    const alive = records.filter((_, i) => i % 7 !== 0);
    expect(await store.count()).toBe(alive.length);
    for (let t = 0; t < 5; t++) {
      const q = vec(d);
      const want = alive
        .map((r) => ({ id: r.id, score: cosineSimilarity(q, r.vector) }))
        .sort((a, b) => b.score - a.score)
        .slice(0, 10);
      const got = store.querySync(q, { k: 10 });
      expect(got.map((h) => h.id)).toEqual(want.map((w) => w.id));
      got.forEach((h, i) => expect(h.score).toBeCloseTo(want[i]!.score, 5));
      const filtered = store.querySync(q, { k: 10, filter: F.eq("even", true) });
      expect(filtered.every((h) => h.metadata.even === true)).toBe(true);
    }
  });

  it("saves to and loads from one file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ragloom-vs-"));
    dirs.push(dir);
    const store = new InMemoryVectorStore({ dimensions: 3 });
    await store.upsert([
      { id: "a", text: "alpha", metadata: { tags: ["x", "y"], n: 1 }, vector: [1, 2, 3] },
      { id: "b", text: "beta ü 😀", metadata: {}, vector: [3, 2, 1] },
    ]);
    const file = join(dir, "store.bin");
    await store.save(file);
    const loaded = await InMemoryVectorStore.load(file);
    expect(await loaded.count()).toBe(2);
    expect(await loaded.get(["a", "b"])).toEqual(await store.get(["a", "b"]));
    expect(loaded.querySync([1, 2, 3], { k: 2 })).toEqual(store.querySync([1, 2, 3], { k: 2 }));
    await loaded.upsert([{ id: "c", text: "c", metadata: {}, vector: [0, 0, 1] }]);
    expect(await loaded.count()).toBe(3);

    const bad = join(dir, "bad.bin");
    writeFileSync(bad, "not a store");
    await expect(InMemoryVectorStore.load(bad)).rejects.toBeInstanceOf(ValidationError);
  });

  it("rejects bad records without writing any", async () => {
    const store = new InMemoryVectorStore({ dimensions: 2 });
    await expect(
      store.upsert([{ id: "a", text: "", metadata: {}, vector: [1, Number.NaN] }]),
    ).rejects.toBeInstanceOf(ValidationError);
    await expect(store.upsert([{ id: "", text: "", metadata: {}, vector: [1, 1] }])).rejects.toBeInstanceOf(
      ValidationError,
    );
    expect(await store.count()).toBe(0);
    expect(() => new InMemoryVectorStore({ dimensions: 0 })).toThrowError(ValidationError);
  });
});

describe("InMemoryVectorStore SIMD kernel", () => {
  it("gives the same top-k and scores as the JavaScript loop", async () => {
    for (const d of [384, 8, 12]) {
      const simd = new InMemoryVectorStore({ dimensions: d, initialCapacity: 4 });
      const js = new InMemoryVectorStore({ dimensions: d, simd: false });
      expect(simd.simd).toBe(d % 8 === 0);
      expect(js.simd).toBe(false);
      const records = Array.from({ length: 700 }, (_, i) => ({
        id: `r${i}`,
        text: "",
        metadata: { i },
        vector: vec(d),
      }));
      await simd.upsert(records);
      await js.upsert(records);
      await simd.delete(["r3", "r500"]);
      await js.delete(["r3", "r500"]);
      for (let t = 0; t < 5; t++) {
        const q = vec(d);
        const a = simd.querySync(q, { k: 20, filter: F.gte("i", 10) });
        const b = js.querySync(q, { k: 20, filter: F.gte("i", 10) });
        expect(a.map((h) => h.id)).toEqual(b.map((h) => h.id));
        a.forEach((h, i) => expect(h.score).toBeCloseTo(b[i]!.score, 5));
      }
    }
  });
});
