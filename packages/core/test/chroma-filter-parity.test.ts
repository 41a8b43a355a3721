/**
 * Differential test: the same filters on the same records give the same records in
 * InMemoryVectorStore (the documented semantics) and a real Chroma server, including
 * non-integer operands against integer-valued records, wide ors, lists of mixed numbers, and
 * negations (`ne`, `nin`, `not contains`) on records that lack the field, hold an array there
 * or have no metadata at all.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ServiceHandle, startChroma, stopAllServices } from "../../../test/services.js";
import { type ChromaVectorStore, createChromaVectorStore } from "../src/chroma.js";
import { F, type Filter, InMemoryVectorStore, type Metadata, type VectorRecord } from "../src/index.js";

let chroma: ServiceHandle;
let remote: ChromaVectorStore;
const local = new InMemoryVectorStore({ dimensions: 2 });

const values: Array<Metadata[string] | undefined | null> = [
  ...[-4, -3, -2, -1, 0, 1, 2, 3, 4],
  ...[-2.5, -0.5, 0.5, 2.5, 2.7],
  "2",
  true,
  [2, 3],
  ["a", "2"],
  undefined,
  null,
];
const records: VectorRecord[] = values.map((y, i) => ({
  id: `r${i}`,
  text: `record ${i}`,
  // undefined: the field is missing; null: the record has no metadata at all
  metadata: (y === undefined ? { other: 1 } : y === null ? {} : { y }) as Metadata,
  vector: [1, i / 10],
}));

beforeAll(async () => {
  chroma = await startChroma();
  remote = await createChromaVectorStore({
    url: chroma.url,
    collection: `parity_${process.pid}`,
    dimensions: 2,
  });
  await remote.upsert(records);
  await local.upsert(records);
});
afterAll(stopAllServices);

const operands = [-2.7, -2.5, -0.5, 0.5, 2.5, 2.7, 2, 0, -3];
const filters: Array<[string, Filter]> = [];
for (const v of operands) {
  for (const op of ["eq", "ne", "gt", "gte", "lt", "lte"] as const) {
    filters.push([`${op} ${v}`, { op, field: "y", value: v }]);
    filters.push([`not ${op} ${v}`, F.not({ op, field: "y", value: v })]);
  }
}
filters.push(
  ["in mixed", F.in("y", [-2.5, -2, 0.5, 3, 2.7])],
  ["nin mixed", F.nin("y", [-2.5, -2, 0.5, 3, 2.7])],
  ["in floats", F.in("y", [2.5, -0.5])],
  ["nin floats", F.nin("y", [2.5, -0.5])],
  ["or of eqs, ints and floats", F.or(...[-3, 2.5, 1, -0.5, 4].map((v) => F.eq("y", v)))],
  ["not or of eqs", F.not(F.or(...[-3, 2.5, 1, -0.5, 4].map((v) => F.eq("y", v))))],
  ["wide or of 1,024 eqs", F.or(...Array.from({ length: 1024 }, (_, i) => F.eq("y", (i - 512) / 2)))],
  ["range band", F.and(F.gt("y", -2.5), F.lte("y", 2.5))],
  ["ne on a value an array holds", F.ne("y", 2)],
  ["nin with every value an array holds", F.nin("y", [2, 3])],
  ["ne a string", F.ne("y", "2")],
  ["nin strings", F.nin("y", ["a", "2"])],
  ["ne a boolean", F.ne("y", true)],
  ["eq a boolean", F.eq("y", true)],
  ["contains", F.contains("y", 2)],
  ["not contains", F.not(F.contains("y", 2))],
  ["not contains a string", F.not(F.contains("y", "a"))],
  ["ne on a field no record has", F.ne("nope", 1)],
  ["not eq on a field no record has", F.not(F.eq("nope", 1))],
  ["not gt on a field no record has", F.not(F.gt("nope", 1))],
  ["and of ne and a range", F.and(F.ne("y", 2), F.gte("y", -1))],
  ["or of ne and eq", F.or(F.ne("y", 2), F.eq("other", 1))],
  ["wide and of 300 nes", F.and(...Array.from({ length: 300 }, (_, i) => F.ne("y", i - 150)))],
  [
    "nin over 20 numbers (a Set)",
    F.nin(
      "y",
      Array.from({ length: 20 }, (_, i) => (i - 9) / 2),
    ),
  ],
  [
    "not an or of 20 eqs, strings and numbers",
    F.not(F.or(...[..."abcdefghij", 2, 3, 4].map((v) => F.eq("y", v)))),
  ],
);

describe("filters: InMemoryVectorStore and real Chroma agree", () => {
  it.each(filters)("%s", async (_label, filter) => {
    const q = { k: 100, filter };
    const want = (await local.query([1, 0], q)).map((h) => h.id).sort();
    const got = (await remote.query([1, 0], q)).map((h) => h.id).sort();
    expect(got).toEqual(want);
  });

  it("ne and not eq match records without the field, with an array there, or with no metadata", async () => {
    const [array, strings, missing, empty] = [-4, -3, -2, -1].map((i) => `r${values.length + i}`);
    for (const store of [local, remote]) {
      for (const filter of [F.ne("y", 2), F.not(F.eq("y", 2)), F.nin("y", [2, 3])]) {
        const ids = (await store.query([1, 0], { k: 100, filter })).map((h) => h.id);
        expect(ids).toEqual(expect.arrayContaining([array!, strings!, missing!, empty!]));
        expect(ids).not.toContain("r6"); // y: 2
      }
    }
  });
});
