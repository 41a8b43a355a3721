import { afterAll, describe, expect, it, vi } from "vitest";
import { F } from "../filter/builders.js";
import { Segment } from "../math/segment.js";
import type { VectorRecord } from "../types/vector-store.js";
import { InMemoryVectorStore, WORKER_MIN_ROWS } from "./in-memory-vector-store.js";

let seed = 31;
const rand = () => {
  seed = (seed * 16807) % 2147483647;
  return seed / 2147483647 - 0.5;
};
const d = 16;
const vec = () => Array.from({ length: d }, rand);
const records = (n: number, prefix = "r"): VectorRecord[] =>
  Array.from({ length: n }, (_, i) => ({
    id: `${prefix}${i}`,
    text: `t${i}`,
    metadata: { m: i % 5 },
    vector: vec(),
  }));

const stores: InMemoryVectorStore[] = [];
afterAll(() => Promise.all(stores.map((s) => s.close())));
async function withWorkers(n: number, extra: object = {}) {
  const store = new InMemoryVectorStore({ dimensions: d, workers: 1, segmentRows: 8192, ...extra });
  stores.push(store);
  await store.upsert(records(n));
  return store;
}

/** Whether `run` scanned rows on this thread (the kernel's calls here, not in a worker). */
async function scannedHere<T>(run: () => Promise<T>): Promise<[T, boolean]> {
  const exact = vi.spyOn(Segment.prototype, "scanExact");
  const approx = vi.spyOn(Segment.prototype, "scanApprox");
  const fused = vi.spyOn(Segment.prototype, "scanApproxSelect");
  try {
    const value = await run();
    return [value, exact.mock.calls.length + approx.mock.calls.length + fused.mock.calls.length > 0];
  } finally {
    exact.mockRestore();
    approx.mockRestore();
    fused.mockRestore();
  }
}

describe("InMemoryVectorStore with worker threads", () => {
  it("scans in a worker, with the calling thread's results", async () => {
    const store = await withWorkers(WORKER_MIN_ROWS + 3000); // 3 segments of shared memory
    for (let t = 0; t < 5; t++) {
      const q = vec();
      for (const options of [{ k: 10 }, { k: 3, filter: F.eq("m", 2) }, { k: 200 }]) {
        const [hits, here] = await scannedHere(() => store.query(q, options));
        expect(here).toBe(false);
        expect(hits).toEqual(store.querySync(q, options));
      }
    }
    for (const quantization of ["int8", "none"] as const) {
      const other = await withWorkers(WORKER_MIN_ROWS, { quantization });
      const q = vec();
      expect(await other.query(q, { k: 10 })).toEqual(other.querySync(q, { k: 10 }));
    }
  });

  it("scans small stores on the calling thread", async () => {
    const store = await withWorkers(100);
    const [, here] = await scannedHere(() => store.query(vec(), { k: 5 }));
    expect(here).toBe(true);
  });

  it("runs many queries at once, each with its own scratch", async () => {
    const store = await withWorkers(WORKER_MIN_ROWS + 100);
    const queries = Array.from({ length: 12 }, vec);
    const got = await Promise.all(queries.map((q) => store.query(q, { k: 10 })));
    got.forEach((hits, i) => expect(hits).toEqual(store.querySync(queries[i]!, { k: 10 })));
  });

  it("orders writes after the scans in flight and before the scans that follow", async () => {
    const store = await withWorkers(WORKER_MIN_ROWS + 500);
    const q = vec();
    const [top] = store.querySync(q, { k: 1 });
    const before = store.query(q, { k: 1 });
    const removal = store.delete([top!.id]);
    const growth = store.upsert(records(20_000, "more")); // grows the shared memories
    const after = store.query(q, { k: 1 });
    expect((await before)[0]!.id).toBe(top!.id);
    await Promise.all([removal, growth]);
    const [next] = await after;
    expect(next!.id).not.toBe(top!.id);
    expect(next).toEqual(store.querySync(q, { k: 1 })[0]);
    expect(await store.count()).toBe(WORKER_MIN_ROWS + 500 - 1 + 20_000);
  });

  it("rejects a bad worker count", () => {
    expect(() => new InMemoryVectorStore({ dimensions: d, workers: -1 })).toThrow(/workers/);
    expect(() => new InMemoryVectorStore({ dimensions: d, workers: 1.5 })).toThrow(/workers/);
  });
});
