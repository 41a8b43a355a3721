/**
 * The conformance suite every VectorStore implementation runs (unstorage-style): the same
 * behaviours, asserted against each store. Call inside a test file with a factory that returns
 * a fresh, empty store of 4 dimensions.
 */
import { describe, expect, it } from "vitest";
import { DimensionMismatchError, F, type Filter, FilterError, ValidationError } from "../src/index.js";
import type { VectorRecord, VectorStore } from "../src/types/vector-store.js";

const rec = (
  id: string,
  vector: number[],
  metadata: VectorRecord["metadata"] = {},
  text = `text of ${id}`,
): VectorRecord => ({
  id,
  text,
  metadata,
  vector,
});

const corpus: VectorRecord[] = [
  rec(
    "a",
    [1, 0, 0, 0],
    { lang: "ts", year: 2021, tags: ["hooks", "state"], open: true },
    "retry with backoff",
  ),
  rec(
    "b",
    [0.9, 0.1, 0, 0],
    { lang: "js", year: 2022, tags: ["state"], open: false },
    "circuit breaker basics",
  ),
  rec("c", [0, 1, 0, 0], { lang: "go", year: 2023, tags: ["http"], open: true }, "http 404 errors in go"),
  rec("d", [0, 0, 1, 0], { lang: "ts", year: 2024, tags: ["hooks"], open: false }, "react hooks guide"),
  rec("e", [0.5, 0.5, 0.5, 0.5], { lang: "py", year: 2020, tags: ["ml"], open: true }, "embedding models"),
];

/**
 * Records with missing fields, array and scalar values where others hold the other kind, and
 * no metadata at all, for the negation semantics (`ne`, `nin`, `not contains` are true on a
 * missing field; `ne`/`nin` on an array field; every other comparison is false there).
 */
const wideValues = (n: number, offset: number) => Array.from({ length: n }, (_, i) => offset + i);

const sparse: VectorRecord[] = [
  rec("f", [0, 0, 0, 1], { lang: "ts" }, "only a language"),
  rec("g", [0, 0.5, 0, 1], {}, "no metadata"),
  rec("h", [0, 0, 0.5, 1], { lang: ["ts", "go"], year: 2022 }, "languages as an array"),
  rec("i", [0.5, 0, 0, 1], { lang: "rs", year: 2021, tags: "hooks" }, "tags as a scalar"),
];

export function runVectorStoreConformance(name: string, makeStore: () => Promise<VectorStore>) {
  describe(`VectorStore conformance: ${name}`, () => {
    const seeded = async () => {
      const store = await makeStore();
      await store.upsert(corpus);
      return store;
    };

    it("upserts, counts and is idempotent by id", async () => {
      const store = await seeded();
      expect(await store.count()).toBe(5);
      await store.upsert(corpus);
      expect(await store.count()).toBe(5);
      await store.upsert([rec("a", [0, 0, 0, 1], { lang: "rust" }, "replaced")]);
      expect(await store.count()).toBe(5);
      const [a] = await store.get(["a"]);
      expect(a!.text).toBe("replaced");
      expect(a!.metadata).toEqual({ lang: "rust" });
    });

    it("replaces metadata with an empty one: every old key is gone", async () => {
      const store = await seeded();
      await store.upsert([rec("a", [1, 0, 0, 0], {}, "emptied")]);
      const [a] = await store.get(["a"]);
      expect(a!.metadata).toEqual({});
      const hits = await store.query([1, 0, 0, 0], { k: 5, filter: F.eq("lang", "ts") });
      expect(hits.map((h) => h.id)).toEqual(["d"]);
    });

    it("has a scope, distinct from another store's", async () => {
      const scope = (store: VectorStore) => (store as { scope?: unknown }).scope;
      const [a, b] = [scope(await makeStore()), scope(await makeStore())];
      expect(typeof a).toBe("string");
      expect((a as string).length).toBeGreaterThan(0);
      expect(a).not.toBe(b);
    });

    it("returns exact top-k by cosine similarity, best first", async () => {
      const store = await seeded();
      const hits = await store.query([1, 0, 0, 0], { k: 3 });
      expect(hits.map((h) => h.id)).toEqual(["a", "b", "e"]);
      expect(hits[0]!.score).toBeCloseTo(1, 5);
      expect(hits[1]!.score).toBeCloseTo(0.9 / Math.hypot(0.9, 0.1), 5);
      expect(hits[2]!.score).toBeCloseTo(0.5, 5);
      expect(hits[0]!.text).toBe("retry with backoff");
      expect(hits[0]!.metadata).toMatchObject({
        lang: "ts",
        year: 2021,
        tags: ["hooks", "state"],
        open: true,
      });
      expect((await store.query([1, 0, 0, 0], { k: 50 })).length).toBe(5);
      expect(await store.query([1, 0, 0, 0], { k: 0 })).toEqual([]);
    });

    it("is scale invariant in the query vector", async () => {
      const store = await seeded();
      const a = await store.query([2, 0, 0, 0], { k: 5 });
      const b = await store.query([0.1, 0, 0, 0], { k: 5 });
      expect(a.map((h) => h.id)).toEqual(b.map((h) => h.id));
    });

    const cases: Array<[string, Filter, string[]]> = [
      ["eq", F.eq("lang", "ts"), ["a", "d"]],
      ["ne", F.ne("lang", "ts"), ["b", "c", "e"]],
      ["gt", F.gt("year", 2022), ["c", "d"]],
      ["gte", F.gte("year", 2022), ["b", "c", "d"]],
      ["lt", F.lt("year", 2021), ["e"]],
      ["lte", F.lte("year", 2021), ["a", "e"]],
      ["in", F.in("lang", ["go", "py"]), ["c", "e"]],
      ["nin", F.nin("lang", ["go", "py"]), ["a", "b", "d"]],
      ["contains on an array", F.contains("tags", "hooks"), ["a", "d"]],
      ["boolean eq", F.eq("open", true), ["a", "c", "e"]],
      ["and", F.and(F.eq("lang", "ts"), F.gte("year", 2022)), ["d"]],
      ["or", F.or(F.eq("lang", "go"), F.lt("year", 2021)), ["c", "e"]],
      ["not eq", F.not(F.eq("lang", "ts")), ["b", "c", "e"]],
      ["not and (De Morgan)", F.not(F.and(F.eq("lang", "ts"), F.eq("open", true))), ["b", "c", "d", "e"]],
      ["not contains", F.not(F.contains("tags", "state")), ["c", "d", "e"]],
      [
        "nested",
        F.and(F.or(F.eq("lang", "ts"), F.eq("lang", "js")), F.not(F.in("year", [2024]))),
        ["a", "b"],
      ],
      ["one-child and", F.and(F.eq("lang", "js")), ["b"]],
      ["document text contains", F.contains("$document", "hooks"), ["d"]],
      [
        "document text and metadata",
        F.and(F.contains("$document", "e"), F.eq("open", true)),
        ["a", "c", "e"],
      ],
      ["missing field", F.eq("nope", 1), []],
      ["ne on a field no record has", F.ne("nope", 1), ["a", "b", "c", "d", "e"]],
      ["nin on a field no record has", F.nin("nope", [1, 2]), ["a", "b", "c", "d", "e"]],
      ["not eq on a field no record has", F.not(F.eq("nope", 1)), ["a", "b", "c", "d", "e"]],
      ["not gt on a field no record has (lte)", F.not(F.gt("nope", 1)), []],
    ];
    it.each(cases)("filters: %s", async (_label, filter, expected) => {
      const store = await seeded();
      const hits = await store.query([0.5, 0.5, 0.5, 0.5], { k: 10, filter });
      expect(hits.map((h) => h.id).sort()).toEqual(expected);
    });

    const sparseCases: Array<[string, Filter, string[]]> = [
      ["eq (not on an array)", F.eq("lang", "ts"), ["a", "d", "f"]],
      ["in (not on an array)", F.in("lang", ["ts", "rs"]), ["a", "d", "f", "i"]],
      ["ne: true on missing, array and empty", F.ne("lang", "ts"), ["b", "c", "e", "g", "h", "i"]],
      ["not eq = ne", F.not(F.eq("lang", "ts")), ["b", "c", "e", "g", "h", "i"]],
      ["nin: true on missing, array and empty", F.nin("lang", ["ts", "go"]), ["b", "e", "g", "h", "i"]],
      ["ne on a number", F.ne("year", 2022), ["a", "c", "d", "e", "f", "g", "i"]],
      ["ne on a boolean", F.ne("open", false), ["a", "c", "e", "f", "g", "h", "i"]],
      ["contains on an array only", F.contains("lang", "go"), ["h"]],
      ["contains on a scalar is false", F.contains("tags", "hooks"), ["a", "d"]],
      [
        "not contains: its complement",
        F.not(F.contains("tags", "hooks")),
        ["b", "c", "e", "f", "g", "h", "i"],
      ],
      ["gt: false on missing", F.gt("year", 2021), ["b", "c", "d", "h"]],
      ["not gt = lte: false on missing", F.not(F.gt("year", 2021)), ["a", "e", "i"]],
      ["and of ne and a range", F.and(F.ne("lang", "ts"), F.gte("year", 2022)), ["b", "c", "h"]],
      ["or of ne and eq", F.or(F.ne("lang", "ts"), F.eq("year", 2024)), ["b", "c", "d", "e", "g", "h", "i"]],
      [
        "not (eq and gt)",
        F.not(F.and(F.eq("lang", "ts"), F.gt("year", 2021))),
        ["a", "b", "c", "e", "g", "h", "i"], // f: lang ts, no year
      ],
      [
        "nin with 20 values",
        F.nin("year", [2022, ...wideValues(19, 3000)]),
        ["a", "c", "d", "e", "f", "g", "i"],
      ],
      [
        "and of 12 nes on one field",
        F.and(F.ne("lang", "ts"), ...wideValues(11, 0).map((i) => F.ne("lang", `x${i}`))),
        ["b", "c", "e", "g", "h", "i"],
      ],
    ];
    it.each(sparseCases)(
      "filters on missing, array and empty metadata: %s",
      async (_label, filter, expected) => {
        const store = await seeded();
        await store.upsert(sparse);
        const hits = await store.query([0.5, 0.5, 0.5, 0.5], { k: 20, filter });
        expect(hits.map((h) => h.id).sort()).toEqual(expected);
      },
    );

    it("deletes by a filter with nin on records that lack the field", async () => {
      const store = await seeded();
      await store.upsert(sparse);
      if (!store.deleteWhere) return;
      // the retriever's clean-up shape: parentId in [...] and parentVersion nin [...]
      expect(await store.deleteWhere(F.and(F.eq("lang", "ts"), F.nin("year", [2021])))).toBe(2);
      expect((await store.get(["a", "d", "f", "h"])).map((r) => r.id).sort()).toEqual(["a", "h"]);
    });

    it("rejects invalid filters instead of searching unfiltered", async () => {
      const store = await seeded();
      for (const bad of [
        { op: "and", filters: [] },
        { op: "eq", field: "__proto__", value: 1 },
        { op: "in", field: "lang", value: [] },
        { op: "regex", field: "lang", value: ".*" },
      ]) {
        await expect(store.query([1, 0, 0, 0], { k: 3, filter: bad as never })).rejects.toBeInstanceOf(
          FilterError,
        );
      }
    });

    it("rejects missing or non-finite vectors and a bad k with a ValidationError, writing nothing", async () => {
      const store = await seeded();
      const missing = await store
        .upsert([rec("z", [1, 0, 0, 0]), { id: "no-vector", text: "", metadata: {} } as never])
        .catch((e: unknown) => e);
      expect(missing).toBeInstanceOf(ValidationError);
      expect((missing as Error).message).toContain('"no-vector"');
      await expect(store.upsert([rec("z", [1, Number.NaN, 0, 0])])).rejects.toBeInstanceOf(ValidationError);
      await expect(store.upsert([rec("z", [1, Number.POSITIVE_INFINITY, 0, 0])])).rejects.toBeInstanceOf(
        ValidationError,
      );
      expect(await store.count()).toBe(5);
      await expect(store.query([Number.NaN, 0, 0, 0], { k: 1 })).rejects.toBeInstanceOf(ValidationError);
      for (const k of [1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
        await expect(store.query([1, 0, 0, 0], { k })).rejects.toBeInstanceOf(ValidationError);
      }
    });

    it("returns every record for a k far beyond the count (2**31, 1e9)", async () => {
      const store = await seeded();
      for (const k of [2 ** 31, 1e9]) {
        expect((await store.query([1, 0, 0, 0], { k })).map((h) => h.id)).toEqual(["a", "b", "e", "c", "d"]);
      }
    });

    const wide = (n: number, offset: number) => Array.from({ length: n }, (_, i) => offset + i);
    const wideCases: Array<[string, Filter, string[]]> = [
      [
        "in with 5,000 values",
        F.in("year", [...wide(4000, 3000), 2021, 2023, ...wide(998, 9000)]),
        ["a", "c"],
      ],
      ["nin with 5,000 values", F.nin("lang", [...wide(4999, 0).map(String), "ts"]), ["b", "c", "e"]],
      [
        "or of 1,024 eqs on one field",
        F.or(...[...wide(1022, 5000), 2022, 2024].map((y) => F.eq("year", y))),
        ["b", "d"],
      ],
      [
        "not of an or of 300 eqs (an and of nes)",
        F.not(F.or(...[...wide(298, 5000), 2022, 2024].map((y) => F.eq("year", y)))),
        ["a", "c", "e"],
      ],
      [
        "or of eqs on two fields and a range",
        F.or(
          ...wide(200, 0).map((i) => F.eq("lang", `x${i}`)),
          F.eq("lang", "go"),
          F.eq("open", false),
          F.lt("year", 2021),
        ),
        ["b", "c", "d", "e"],
      ],
    ];
    wideCases.push(
      ["in with integers and floats", F.in("year", [2020.5, 2021, 2023, 2024.5]), ["a", "c"]],
      [
        "or of 1,000 conditions on distinct fields",
        F.or(...wide(999, 0).map((i) => F.gt(`f${i}`, i)), F.eq("lang", "go")),
        ["c"],
      ],
    );
    it.each(wideCases)("wide filters: %s", async (_label, filter, expected) => {
      const store = await seeded();
      const hits = await store.query([0.5, 0.5, 0.5, 0.5], { k: 10, filter });
      expect(hits.map((h) => h.id).sort()).toEqual(expected);
    });

    it("rejects filters wider than the limits with a FilterError", async () => {
      const store = await seeded();
      const tooWide = F.or(...wide(1025, 0).map((y) => F.eq("year", y)));
      await expect(store.query([1, 0, 0, 0], { k: 3, filter: tooWide })).rejects.toBeInstanceOf(FilterError);
      const tooLong = F.in("year", wide(10_001, 0));
      await expect(store.query([1, 0, 0, 0], { k: 3, filter: tooLong })).rejects.toBeInstanceOf(FilterError);
    });

    it("rejects dimension mismatches on upsert and query, writing nothing", async () => {
      const store = await seeded();
      await expect(store.upsert([rec("z", [1, 0, 0, 0]), rec("y", [1, 0, 0])])).rejects.toBeInstanceOf(
        DimensionMismatchError,
      );
      expect(await store.count()).toBe(5);
      await expect(store.query([1, 0], { k: 1 })).rejects.toBeInstanceOf(DimensionMismatchError);
      await expect(store.query([1, 0, 0, 0], { k: -1 })).rejects.toBeInstanceOf(ValidationError);
    });

    it("deletes by id (unknown ids ignored) and by filter", async () => {
      const store = await seeded();
      await store.delete(["b", "missing"]);
      expect(await store.count()).toBe(4);
      expect((await store.query([1, 0, 0, 0], { k: 5 })).map((h) => h.id)).not.toContain("b");
      expect((await store.get(["b", "a"])).map((r) => r.id)).toEqual(["a"]);
      if (store.deleteWhere) {
        expect(await store.deleteWhere(F.eq("lang", "ts"))).toBe(2);
        expect((await store.query([1, 0, 0, 0], { k: 5 })).map((h) => h.id).sort()).toEqual(["c", "e"]);
      }
    });

    it("returns stored vectors on request (for compressors)", async () => {
      const store = await seeded();
      const [hit] = await store.query([0, 1, 0, 0], { k: 1, includeVectors: true });
      expect(hit!.id).toBe("c");
      expect(Array.from(hit!.vector!).map((x) => Math.round(x * 1000) / 1000)).toEqual([0, 1, 0, 0]);
      const [got] = await store.get(["e"]);
      const v = Array.from(got!.vector);
      expect(v.length).toBe(4);
      expect(v[0]! / v[1]!).toBeCloseTo(1, 5);
    });

    it("scans every stored document in pages", async () => {
      const store = await seeded();
      expect(store.scan).toBeTypeOf("function");
      const pages: string[][] = [];
      for await (const page of store.scan!({ pageSize: 2 })) pages.push(page.map((d) => d.id));
      expect(pages.every((p) => p.length <= 2)).toBe(true);
      expect(pages.flat().sort()).toEqual(["a", "b", "c", "d", "e"]);
      const all: string[] = [];
      for await (const page of store.scan!())
        all.push(...page.map((d) => `${d.id}:${d.text}:${d.metadata.lang}`));
      expect(all.sort()[0]).toBe("a:retry with backoff:ts");
    });

    it("handles an abort signal", async () => {
      const store = await seeded();
      const ac = new AbortController();
      ac.abort();
      await expect(store.query([1, 0, 0, 0], { k: 1, signal: ac.signal })).rejects.toThrow();
    });
  });
}
