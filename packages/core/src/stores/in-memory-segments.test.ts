import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { CapacityError, ValidationError } from "../errors/errors.js";
import { F } from "../filter/builders.js";
import type { VectorRecord } from "../types/vector-store.js";
import { IN_MEMORY_MAX_RECORDS, InMemoryVectorStore } from "./in-memory-vector-store.js";

let seed = 5;
const rand = () => {
  seed = (seed * 16807) % 2147483647;
  return seed / 2147483647 - 0.5;
};
const vec = (d: number) => Array.from({ length: d }, rand);
const dir = mkdtempSync(join(tmpdir(), "ragloom-segments-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const records = (n: number, d: number, prefix = "r"): VectorRecord[] =>
  Array.from({ length: n }, (_, i) => ({
    id: `${prefix}${i}`,
    text: `text ${prefix}${i}`,
    metadata: { m: i % 7 },
    vector: vec(d),
  }));
const segmentsOf = (store: InMemoryVectorStore) =>
  (store as unknown as { rows: { segments: unknown[] } }).rows.segments.length;
const everything = async (store: InMemoryVectorStore) => store.get(store.listIds());

describe("InMemoryVectorStore rows in segments (several WebAssembly memories)", () => {
  for (const quantization of ["int8", "none"] as const) {
    it(`answers as one segment does, across writes that cross segment boundaries (${quantization})`, async () => {
      const d = 16;
      const small = new InMemoryVectorStore({
        dimensions: d,
        segmentRows: 8,
        initialCapacity: 1,
        quantization,
      });
      const one = new InMemoryVectorStore({ dimensions: d, quantization });
      const batches = [records(37, d, "a"), records(64, d, "b"), records(5, d, "c")];
      for (const b of batches) {
        await small.upsert(b);
        await one.upsert(b);
      }
      expect(segmentsOf(small)).toBe(14); // 106 rows in segments of 8
      expect(segmentsOf(one)).toBe(1);
      // deletes move the last row (in the last segment) into holes of earlier segments
      const gone = ["a0", "a9", "b17", "b63", "c4", "a36", "b0"];
      const replaced = records(10, d, "b");
      const deleted: number[] = [];
      for (const store of [small, one]) {
        await store.delete(gone);
        await store.upsert(replaced);
        deleted.push(await store.deleteWhere(F.eq("m", 3)));
      }
      expect(deleted[0]).toBeGreaterThan(10);
      expect(deleted[0]).toBe(deleted[1]);
      expect(await everything(small)).toEqual(await everything(one));
      for (let t = 0; t < 10; t++) {
        const q = vec(d);
        for (const k of [1, 5, 100]) {
          expect(small.querySync(q, { k })).toEqual(one.querySync(q, { k }));
          expect(small.querySync(q, { k, filter: F.eq("m", 2) })).toEqual(
            one.querySync(q, { k, filter: F.eq("m", 2) }),
          );
        }
      }
    });
  }

  it("saves and loads across segment sizes", async () => {
    const d = 24;
    const small = new InMemoryVectorStore({ dimensions: d, segmentRows: 4 });
    await small.upsert(records(50, d));
    const file = join(dir, "segments.bin");
    await small.save(file);
    const asOne = await InMemoryVectorStore.load(file);
    const asTiny = await InMemoryVectorStore.load(file, { segmentRows: 2 });
    expect(segmentsOf(asOne)).toBe(1);
    expect(segmentsOf(asTiny)).toBe(25);
    expect(await everything(asOne)).toEqual(await everything(small));
    expect(await everything(asTiny)).toEqual(await everything(small));
    const q = vec(d);
    expect(asTiny.querySync(q, { k: 7 })).toEqual(small.querySync(q, { k: 7 }));
  });

  it("rejects a segmentRows that is not a power of two", () => {
    for (const segmentRows of [0, 1, 3, 100, 2 ** 40]) {
      expect(() => new InMemoryVectorStore({ dimensions: 8, segmentRows })).toThrow(ValidationError);
    }
  });
});

describe("CapacityError at the documented limit", () => {
  it("is thrown by a write that would pass maxRecords, and nothing of that write is stored", async () => {
    const d = 8;
    const store = new InMemoryVectorStore({ dimensions: d, maxRecords: 10 });
    await store.upsert(records(8, d));
    const error = await store.upsert(records(3, d, "new")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CapacityError);
    expect(error).toMatchObject({ code: "ERR_CAPACITY", requested: 11, limit: 10 });
    expect((error as Error).message).toMatch(/at most 10 records; 11 requested/);
    expect(await store.count()).toBe(8);
    expect(await store.get(["new0"])).toEqual([]);
    // replacing stored ids takes no room: 8 replaced + 2 new = 10
    await store.upsert([...records(8, d), ...records(2, d, "new")]);
    expect(await store.count()).toBe(10);
  });

  it("is thrown by load for a file with more records than maxRecords", async () => {
    const store = new InMemoryVectorStore({ dimensions: 8 });
    await store.upsert(records(20, 8));
    const file = join(dir, "twenty.bin");
    await store.save(file);
    await expect(InMemoryVectorStore.load(file, { maxRecords: 19 })).rejects.toBeInstanceOf(CapacityError);
    expect(await (await InMemoryVectorStore.load(file, { maxRecords: 20 })).count()).toBe(20);
  });

  it("has a hard maximum of 2^24 records", () => {
    expect(IN_MEMORY_MAX_RECORDS).toBe(16_777_216);
    expect(() => new InMemoryVectorStore({ dimensions: 8, maxRecords: IN_MEMORY_MAX_RECORDS + 1 })).toThrow(
      ValidationError,
    );
  });

  describe("when the runtime refuses memory", () => {
    const RealMemory = WebAssembly.Memory;
    afterEach(() => {
      (WebAssembly as { Memory: unknown }).Memory = RealMemory;
    });

    it("turns the RangeError into a CapacityError and keeps what was stored", async () => {
      const d = 16;
      const store = new InMemoryVectorStore({ dimensions: d, segmentRows: 16, initialCapacity: 16 });
      await store.upsert(records(16, d));
      // fault injection: the next segment's memory is refused, as an exhausted machine would
      (WebAssembly as { Memory: unknown }).Memory = class {
        constructor() {
          throw new RangeError("WebAssembly.Memory(): could not allocate memory");
        }
      };
      const error = await store.upsert(records(1, d, "more")).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CapacityError);
      expect((error as Error).message).toMatch(/could not allocate memory for 17 rows of 16 dimensions/);
      expect((error as CapacityError).cause).toBeInstanceOf(RangeError);
      (WebAssembly as { Memory: unknown }).Memory = RealMemory;
      expect(await store.count()).toBe(16);
      await store.upsert(records(1, d, "more"));
      expect(await store.count()).toBe(17);
    });
  });
});
