/**
 * Differential test: the same numeric filters on the same records give the same records in
 * InMemoryVectorStore (the documented semantics) and a real Chroma server, including
 * non-integer operands against integer-valued records, wide ors and lists of mixed numbers.
 *
 * Known difference, excluded here and asserted as such below: Chroma 1.5 evaluates `$ne` and
 * `$nin` as "not equal", true on a record that lacks the field or holds an array there, where
 * the filter IR says false.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ServiceHandle, startChroma, stopAllServices } from "../../../test/services.js";
import { type ChromaVectorStore, createChromaVectorStore } from "../src/chroma.js";
import { F, type Filter, InMemoryVectorStore, type Metadata, type VectorRecord } from "../src/index.js";

let chroma: ServiceHandle;
let remote: ChromaVectorStore;
const local = new InMemoryVectorStore({ dimensions: 2 });

const values: Array<Metadata[string] | undefined> = [
  ...[-4, -3, -2, -1, 0, 1, 2, 3, 4],
  ...[-2.5, -0.5, 0.5, 2.5, 2.7],
  "2",
  true,
  [2, 3],
  undefined,
];
const records: VectorRecord[] = values.map((y, i) => ({
  id: `r${i}`,
  text: `record ${i}`,
  metadata: (y === undefined ? { other: 1 } : { y }) as Metadata,
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
);

const ARRAY_OR_MISSING = new Set([`r${values.length - 2}`, `r${values.length - 1}`]);
const negated = (f: Filter): boolean => /"op":"(ne|nin|not)"/.test(JSON.stringify(f));

describe("filters on numbers: InMemoryVectorStore and real Chroma agree", () => {
  it.each(filters)("%s", async (_label, filter) => {
    const q = { k: 100, filter };
    const want = (await local.query([1, 0], q)).map((h) => h.id).sort();
    let got = (await remote.query([1, 0], q)).map((h) => h.id).sort();
    if (negated(filter)) got = got.filter((id) => !ARRAY_OR_MISSING.has(id));
    expect(got).toEqual(want);
  });

  it("(known difference) Chroma's $ne matches records without the field or with an array there", async () => {
    const q = { k: 100, filter: F.ne("y", 0) };
    const want = (await local.query([1, 0], q)).map((h) => h.id);
    const got = (await remote.query([1, 0], q)).map((h) => h.id);
    expect(want.filter((id) => ARRAY_OR_MISSING.has(id))).toEqual([]);
    expect(got.filter((id) => ARRAY_OR_MISSING.has(id)).sort()).toEqual([...ARRAY_OR_MISSING].sort());
  });
});
