import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SCIFACT_DIR } from "../../../test/services.js";
import { BM25Index, CorruptFileError, type Document, F, ValidationError } from "../src/index.js";

const readJsonl = <T>(file: string): T[] =>
  readFileSync(join(SCIFACT_DIR, file), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as T);

let corpus: Document[];
let queries: string[];
let dir: string;
let index: BM25Index;
beforeAll(() => {
  corpus = readJsonl<{ _id: string; title: string; text: string }>("corpus.jsonl").map((d, i) => ({
    id: d._id,
    text: `${d.title} ${d.text}`,
    metadata: { tenant: i % 3 === 0 ? "a" : "b", n: i },
  }));
  queries = readJsonl<{ text: string }>("queries.jsonl").map((q) => q.text);
  dir = mkdtempSync(join(tmpdir(), "ragloom-bm25-"));
  index = built();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** An index over SciFact with free slots and reused slots (deletes, then re-adds). */
function built(options = {}, docs = corpus) {
  const bm25 = new BM25Index(options);
  bm25.add(docs);
  bm25.delete(docs.slice(100, 400).map((d) => d.id));
  bm25.add(docs.slice(150, 250)); // reuses free slots in another order
  bm25.add([{ ...docs[0]!, text: `${docs[0]!.text} replaced` }]);
  return bm25;
}

function expectSameSearches(a: BM25Index, b: BM25Index, all = queries) {
  expect(b.size).toBe(a.size);
  for (const q of all) {
    expect(b.search(q, { k: 10 })).toEqual(a.search(q, { k: 10 }));
  }
  for (const q of all.slice(0, 30)) {
    const options = { k: 20, filter: F.and(F.eq("tenant", "a"), F.gte("n", 1000)) };
    expect(b.search(q, options)).toEqual(a.search(q, options));
    expect(b.search(q, { k: 1e9 })).toEqual(a.search(q, { k: 1e9 }));
  }
}

describe("BM25Index persistence on SciFact (5,183 abstracts, 809 queries)", () => {
  it("save then load gives identical search results (ids, scores, texts, metadata, tie order)", async () => {
    const file = join(dir, "scifact.bm25");
    await index.save(file);
    const loaded = await BM25Index.load(file);
    expect(loaded.k1).toBe(index.k1);
    expect(loaded.b).toBe(index.b);
    expectSameSearches(index, loaded);
    // and it keeps working as an index: the same edits give the same results
    const original = BM25Index.deserialize(index.serialize());
    for (const i of [original, loaded]) {
      i.delete(corpus.slice(0, 50).map((d) => d.id));
      i.add(corpus.slice(300, 350));
    }
    expectSameSearches(original, loaded, queries.slice(0, 200));
    expect(readdirSync(dir)).toEqual(["scifact.bm25"]);
    rmSync(file);
  });

  it("serialize/deserialize round-trips bytes, k1 and b", () => {
    const tuned = built({ k1: 1.2, b: 0.75 }, corpus.slice(0, 1500));
    const bytes = tuned.serialize();
    const copy = BM25Index.deserialize(bytes);
    expect([copy.k1, copy.b]).toEqual([1.2, 0.75]);
    expectSameSearches(tuned, copy, queries.slice(0, 200));
    expect(Buffer.from(copy.serialize()).equals(Buffer.from(bytes))).toBe(true);
  });

  it("overlapping saves both succeed and leave a whole file", async () => {
    const copy = BM25Index.deserialize(index.serialize());
    const file = join(dir, "twice.bm25");
    const first = copy.save(file);
    copy.add([{ id: "new", text: "prion protein positivity", metadata: {} }]);
    await Promise.all([first, copy.save(file)]);
    const loaded = await BM25Index.load(file);
    expect(loaded.has("new")).toBe(true);
    expectSameSearches(copy, loaded, queries.slice(0, 100));
    expect(readdirSync(dir)).toEqual(["twice.bm25"]);
    rmSync(file);
  });

  it("refuses corrupted bytes with a CorruptFileError", async () => {
    const small = new BM25Index();
    small.add(corpus.slice(0, 50));
    const bytes = Buffer.from(small.serialize());
    const flipped = Buffer.from(bytes);
    flipped[flipped.length - 100]! ^= 1; // inside the postings
    expect(() => BM25Index.deserialize(flipped)).toThrowError(CorruptFileError);
    const text = Buffer.from(bytes);
    text[bytes.indexOf(corpus[3]!.text.slice(0, 20))]! ^= 2; // inside a document's text
    expect(() => BM25Index.deserialize(text)).toThrowError(/checksum/);
    expect(() => BM25Index.deserialize(bytes.subarray(0, 30))).toThrowError(CorruptFileError);
    const file = join(dir, "bad.bm25");
    writeFileSync(file, "not an index");
    await expect(BM25Index.load(file)).rejects.toBeInstanceOf(CorruptFileError);
    rmSync(file);
  });

  it("refuses to load with another analyzer than the index was built with", () => {
    const plain = new BM25Index();
    plain.add(corpus.slice(0, 20));
    const bytes = plain.serialize();
    expect(() => BM25Index.deserialize(bytes, { stopWords: new Set(["the"]) })).toThrowError(ValidationError);
    expect(() => BM25Index.deserialize(bytes, { locale: "de" })).toThrowError(/another analyzer/);
    expect(() => BM25Index.deserialize(bytes, { stem: (w) => w })).toThrowError(ValidationError);
    const custom = new BM25Index({ tokenizer: (t) => t.toLowerCase().split(/\W+/).filter(Boolean) });
    custom.add(corpus.slice(0, 20));
    expect(() => BM25Index.deserialize(custom.serialize())).toThrowError(/custom tokenizer/);
    const tokenizer = (t: string) => t.toLowerCase().split(/\W+/).filter(Boolean);
    const back = BM25Index.deserialize(custom.serialize(), { tokenizer });
    expect(back.search("the cells", { k: 5 })).toEqual(custom.search("the cells", { k: 5 }));
  });
});
