import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createHnswVectorStore, HnswVectorStore } from "../src/hnsw.js";
import { CorruptFileError, F, InMemoryVectorStore, ValidationError } from "../src/index.js";
import type { VectorRecord } from "../src/types/vector-store.js";
import { runVectorStoreConformance } from "./vector-store-conformance.js";

runVectorStoreConformance("HnswVectorStore (usearch)", async () => createHnswVectorStore({ dimensions: 4 }));

let seed = 7;
const rand = () => {
  seed = (seed * 16807) % 2147483647;
  return seed / 2147483647 - 0.5;
};
/** Clustered vectors (20 centres), like embeddings of a corpus on a few topics. */
function clustered(n: number, d: number, prefix = "r"): VectorRecord[] {
  const centres = Array.from({ length: 20 }, () => Array.from({ length: d }, rand));
  return Array.from({ length: n }, (_, i) => ({
    id: `${prefix}${i}`,
    text: `text ${i}`,
    metadata: { i, bucket: i % 100, tags: [`t${i % 7}`] },
    vector: centres[i % 20]!.map((c) => c + 0.4 * rand()),
  }));
}

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "ragloom-hnsw-"));
  dirs.push(dir);
  return dir;
};
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

async function pair(records: VectorRecord[], d: number) {
  const hnsw = await createHnswVectorStore({ dimensions: d });
  const exact = new InMemoryVectorStore({ dimensions: d });
  await hnsw.upsert(records);
  await exact.upsert(records);
  return { hnsw, exact };
}

describe("HnswVectorStore: approximate search against exact", () => {
  const d = 32;
  const data = clustered(3000, d);
  const queries = clustered(50, d, "q").map((r) => r.vector as number[]);

  it.each([
    [64, 0.9],
    [256, 0.98],
  ])("with ef = %i finds at least %d of the exact top-10, with exact cosine scores", async (ef, target) => {
    const hnsw = await createHnswVectorStore({ dimensions: d, expansionSearch: ef });
    const exact = new InMemoryVectorStore({ dimensions: d });
    await hnsw.upsert(data);
    await exact.upsert(data);
    let found = 0;
    for (const q of queries) {
      const truth = await exact.query(q, { k: 10 });
      const got = await hnsw.query(q, { k: 10 });
      expect(got.length).toBe(10);
      const scoreOf = new Map(truth.map((h) => [h.id, h.score]));
      for (const h of got) {
        if (scoreOf.has(h.id)) {
          found++;
          expect(h.score).toBeCloseTo(scoreOf.get(h.id)!, 5);
        }
      }
    }
    expect(found / (queries.length * 10)).toBeGreaterThanOrEqual(target);
  });

  it("filters during search: only matching records, min(k, matches) of them, even for 0.1% selectivity", async () => {
    const { hnsw, exact } = await pair(data, d);
    for (const [filter, matches] of [
      [F.eq("bucket", 3), 30],
      [F.and(F.eq("bucket", 3), F.lt("i", 1000)), 10],
      [F.in("i", [5, 17, 2999]), 3],
      [F.contains("tags", "t2"), 429],
    ] as const) {
      for (const q of queries.slice(0, 10)) {
        const got = await hnsw.query(q, { k: 10, filter });
        const truth = await exact.query(q, { k: 10, filter });
        expect(got.length).toBe(Math.min(10, matches));
        expect(got.every((h) => truth.length < 10 || h.score >= truth[9]!.score - 0.05)).toBe(true);
        if (matches <= 10) expect(got.map((h) => h.id)).toEqual(truth.map((h) => h.id));
      }
    }
  });

  it("never returns deleted records and reuses their slots", async () => {
    const { hnsw, exact } = await pair(data.slice(0, 500), d);
    const gone = data.slice(0, 250).map((r) => r.id);
    await hnsw.delete(gone);
    await exact.delete(gone);
    expect(hnsw.size).toBe(250);
    for (const q of queries.slice(0, 10)) {
      const got = await hnsw.query(q, { k: 20 });
      expect(got.length).toBe(20);
      expect(got.some((h) => gone.includes(h.id))).toBe(false);
    }
    const fresh = clustered(250, d, "n");
    await hnsw.upsert(fresh);
    expect(hnsw.size).toBe(500);
    const [hit] = await hnsw.query(fresh[3]!.vector, { k: 1 });
    expect(hit!.id).toBe("n3");
    // replacing a record moves it: it is found at its new vector, not the old one
    await hnsw.upsert([{ ...fresh[3]!, vector: fresh[4]!.vector.map((x) => -x) }]);
    expect(
      (
        await hnsw.query(
          fresh[4]!.vector.map((x) => -x),
          { k: 1 },
        )
      )[0]!.id,
    ).toBe("n3");
    expect(hnsw.size).toBe(500);
  });

  it("rejects bad options with a ValidationError", async () => {
    await expect(createHnswVectorStore({ dimensions: 0 })).rejects.toBeInstanceOf(ValidationError);
    await expect(createHnswVectorStore({ dimensions: 4, connectivity: 1.5 })).rejects.toBeInstanceOf(
      ValidationError,
    );
    await expect(
      createHnswVectorStore({ dimensions: 4, quantization: "f8" as never }),
    ).rejects.toBeInstanceOf(ValidationError);
  });

  it("i8 quantisation keeps exact scores (rescored against float32 rows)", async () => {
    const store = await createHnswVectorStore({ dimensions: d, quantization: "i8" });
    const exact = new InMemoryVectorStore({ dimensions: d });
    await store.upsert(data.slice(0, 1000));
    await exact.upsert(data.slice(0, 1000));
    const [a] = await store.query(queries[0]!, { k: 1 });
    const [b] = await exact.query(queries[0]!, { k: 1 });
    expect(a!.id).toBe(b!.id);
    expect(a!.score).toBeCloseTo(b!.score, 5);
  });
});

describe("HnswVectorStore with a quantised graph", () => {
  it("rescores ef candidates, so i8 ordering errors among near-duplicates keep the exact top-10", async () => {
    const d = 64;
    let local = 11;
    const rand = () => {
      local = (local * 16807) % 2147483647;
      return local / 2147483647 - 0.5;
    };
    // tight clusters: neighbours differ by a few i8 code steps of the graph's copy
    const centres = Array.from({ length: 10 }, () => Array.from({ length: d }, rand));
    const records: VectorRecord[] = Array.from({ length: 3000 }, (_, i) => ({
      id: `n${i}`,
      text: "",
      metadata: {},
      vector: centres[i % 10]!.map((c) => c + 0.05 * rand()),
    }));
    const exact = new InMemoryVectorStore({ dimensions: d });
    await exact.upsert(records);
    const recalls: Record<string, number> = {};
    for (const quantization of ["f32", "i8"] as const) {
      const store = await createHnswVectorStore({
        dimensions: d,
        quantization,
        expansionSearch: 64,
        threads: 1,
      });
      await store.upsert(records);
      let hit = 0;
      for (let t = 0; t < 30; t++) {
        const q = centres[t % 10]!.map((c) => c + 0.05 * rand());
        const truth = new Set((await exact.query(q, { k: 10 })).map((h) => h.id));
        for (const h of await store.query(q, { k: 10 })) if (truth.has(h.id)) hit++;
      }
      recalls[quantization] = hit / 300;
    }
    // asking the graph for only k gives 0.55 here
    expect(recalls.i8).toBeGreaterThanOrEqual(0.9);
    expect(recalls.i8).toBeGreaterThanOrEqual(recalls.f32! - 0.05);
  });
});

describe("HnswVectorStore.save / load", () => {
  const d = 16;

  it("round-trips the graph, rows, ids, texts, metadata, free slots and scope", async () => {
    const file = join(tempDir(), "store.hnsw");
    const store = await createHnswVectorStore({ dimensions: d, connectivity: 8, scope: "hnsw:test" });
    const data = clustered(800, d);
    await store.upsert(data);
    await store.delete(["r1", "r2", "r500"]);
    await store.save(file);
    expect(readdirSync(join(file, ".."))).toEqual(["store.hnsw"]);
    const loaded = await HnswVectorStore.load(file);
    expect(loaded.scope).toBe("hnsw:test");
    expect(loaded.params.connectivity).toBe(8);
    expect(await loaded.count()).toBe(797);
    for (const q of data.slice(0, 20)) {
      expect(await loaded.query(q.vector, { k: 5 })).toEqual(await store.query(q.vector, { k: 5 }));
    }
    expect(await loaded.get(["r3", "r1"])).toEqual(await store.get(["r3", "r1"]));
    const tuned = await HnswVectorStore.load(file, { expansionSearch: 400 });
    expect(tuned.params.expansionSearch).toBe(400);
    expect(await tuned.count()).toBe(797);
    await loaded.upsert(clustered(3, d, "x"));
    expect(await loaded.count()).toBe(800);
  });

  it("takes the contents when save is called", async () => {
    const file = join(tempDir(), "store.hnsw");
    const store = await createHnswVectorStore({ dimensions: d });
    await store.upsert(clustered(100, d));
    const saving = store.save(file);
    await store.delete(["r0", "r1"]);
    await store.upsert([{ id: "r5", text: "changed", metadata: {}, vector: clustered(1, d)[0]!.vector }]);
    await saving;
    const loaded = await HnswVectorStore.load(file);
    expect(await loaded.count()).toBe(100);
    expect((await loaded.get(["r5"]))[0]!.text).toBe("text 5");
  });

  it("refuses an edited, truncated or foreign file with CorruptFileError", async () => {
    const dir = tempDir();
    const file = join(dir, "store.hnsw");
    const store = await createHnswVectorStore({ dimensions: d });
    await store.upsert(clustered(200, d));
    await store.save(file);
    const bytes = readFileSync(file);
    const edited = Buffer.from(bytes);
    edited[Math.floor(bytes.length / 2)]! ^= 0xff;
    const cases: Array<[string, Buffer]> = [
      ["edited", edited],
      ["truncated", bytes.subarray(0, bytes.length - 100)],
      ["foreign", Buffer.from("RAGLOOM-VS2 not this kind of file at all, sorry")],
      ["empty", Buffer.alloc(0)],
    ];
    for (const [name, content] of cases) {
      const path = join(dir, `${name}.hnsw`);
      writeFileSync(path, content);
      await expect(HnswVectorStore.load(path), name).rejects.toBeInstanceOf(CorruptFileError);
    }
    expect(readdirSync(dir).filter((f) => f.startsWith("."))).toEqual([]);
  });
});
