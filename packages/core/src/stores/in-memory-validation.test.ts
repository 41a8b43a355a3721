import { describe, expect, it } from "vitest";
import { DimensionMismatchError, ValidationError } from "../errors/errors.js";
import { InMemoryVectorStore } from "./in-memory-vector-store.js";

const seeded = async () => {
  const store = new InMemoryVectorStore({ dimensions: 4 });
  await store.upsert([
    { id: "a", text: "alpha", metadata: {}, vector: [1, 0, 0, 0] },
    { id: "b", text: "beta", metadata: {}, vector: [0, 1, 0, 0] },
    { id: "c", text: "gamma", metadata: {}, vector: [1, 1, 0, 0] },
  ]);
  return store;
};

describe("InMemoryVectorStore input validation", () => {
  it("names the record whose vector is missing (a ValidationError, not a TypeError), writing nothing", async () => {
    const store = await seeded();
    const error = await store
      .upsert([
        { id: "ok", text: "", metadata: {}, vector: [1, 0, 0, 0] },
        { id: "no-vector", text: "", metadata: {} } as never,
      ])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toContain('"no-vector"');
    expect(await store.count()).toBe(3);
  });

  it.each([
    ["a string", "abcd", ValidationError],
    ["an object", { length: 4 }, ValidationError],
    ["NaN", [1, Number.NaN, 0, 0], ValidationError],
    ["Infinity", new Float32Array([1, Number.POSITIVE_INFINITY, 0, 0]), ValidationError],
    ["an undefined entry", [1, undefined, 0, 0], ValidationError],
    ["a numeric string", [1, "2", 0, 0], ValidationError],
    ["the wrong length", [1, 0, 0], DimensionMismatchError],
  ])("rejects a vector that is %s on upsert and as a query", async (_label, vector, type) => {
    const store = await seeded();
    await expect(
      store.upsert([{ id: "z", text: "", metadata: {}, vector: vector as never }]),
    ).rejects.toBeInstanceOf(type);
    expect(await store.count()).toBe(3);
    await expect(store.query(vector as never, { k: 1 })).rejects.toBeInstanceOf(type);
  });

  it("rejects texts that are not strings and metadata that is not an object", async () => {
    const store = await seeded();
    await expect(
      store.upsert([{ id: "z", text: 5 as never, metadata: {}, vector: [1, 0, 0, 0] }]),
    ).rejects.toBeInstanceOf(ValidationError);
    await expect(
      store.upsert([{ id: "z", text: "", metadata: [] as never, vector: [1, 0, 0, 0] }]),
    ).rejects.toBeInstanceOf(ValidationError);
    await store.upsert([{ id: "z", text: "", metadata: undefined as never, vector: [1, 0, 0, 0] }]);
    expect((await store.get(["z"]))[0]!.metadata).toEqual({});
  });

  it("validates k: a non-negative integer; any size beyond the count returns everything", async () => {
    const store = await seeded();
    for (const k of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, "3", undefined]) {
      await expect(store.query([1, 0, 0, 0], { k: k as never })).rejects.toBeInstanceOf(ValidationError);
    }
    for (const k of [3, 4, 2 ** 31, 1e9, Number.MAX_SAFE_INTEGER]) {
      expect((await store.query([1, 0, 0, 0], { k })).map((h) => h.id)).toEqual(["a", "c", "b"]);
    }
    expect(await store.query([1, 0, 0, 0], { k: 0 })).toEqual([]);
  });

  it("normalises vectors of very large or very small magnitude without overflow", async () => {
    const store = new InMemoryVectorStore({ dimensions: 4 });
    await store.upsert([
      { id: "huge", text: "", metadata: {}, vector: [1e200, 1e200, 0, 0] },
      { id: "tiny", text: "", metadata: {}, vector: [0, 0, 1e-200, 0] },
      { id: "plain", text: "", metadata: {}, vector: [1, 0.5, 0, 0] },
    ]);
    const [top] = await store.query([1e300, 1e300, 0, 0], { k: 1 });
    expect(top!.id).toBe("huge");
    expect(top!.score).toBeCloseTo(1, 5);
    const [small] = await store.query([0, 0, 3e-300, 0], { k: 1 });
    expect(small!.id).toBe("tiny");
    expect(small!.score).toBeCloseTo(1, 5);
    // a zero query scores 0 against everything (no NaN)
    expect((await store.query([0, 0, 0, 0], { k: 3 })).map((h) => h.score)).toEqual([0, 0, 0]);
  });
});
