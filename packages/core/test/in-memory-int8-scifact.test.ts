/**
 * The int8 scan on real embeddings: SciFact abstracts and claims embedded by all-MiniLM-L6-v2
 * (200 abstracts and 40 claims, to keep the test fast; `bench/exact-scan.ts` runs all of them) give the float32 scan's exact results: ids, scores, order.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { requireModelDir, SCIFACT_DIR } from "../../../test/services.js";
import { F, InMemoryVectorStore } from "../src/index.js";
import { createTransformersEmbedder } from "../src/transformers.js";

const jsonl = (file: string) =>
  readFileSync(join(SCIFACT_DIR, file), "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Record<string, string>);

let int8: InMemoryVectorStore;
let float: InMemoryVectorStore;
let queries: Float32Array[];
beforeAll(async () => {
  const embedder = await createTransformersEmbedder({ localModelPath: requireModelDir(), offline: true });
  const docs = jsonl("corpus.jsonl").slice(0, 200);
  const vectors = await embedder.embedDocuments(docs.map((d) => `${d.title} ${d.text}`.slice(0, 500)));
  const records = docs.map((d, i) => ({
    id: d._id!,
    text: d.title!,
    metadata: { long: d.text!.length > 1200 },
    vector: vectors[i]!,
  }));
  int8 = new InMemoryVectorStore({ dimensions: 384 });
  float = new InMemoryVectorStore({ dimensions: 384, quantization: "none" });
  await int8.upsert(records);
  await float.upsert(records);
  queries = await embedder.embedDocuments(
    jsonl("queries.jsonl")
      .slice(0, 40)
      .map((q) => q.text!),
  );
}, 300_000);

describe("int8 scan on SciFact MiniLM vectors", () => {
  it("returns the float32 scan's top-k for every query (k = 1, 5, 10; with a filter)", () => {
    expect(int8.quantization).toBe("int8");
    for (const q of queries) {
      for (const k of [1, 5, 10]) {
        expect(int8.querySync(q, { k })).toEqual(float.querySync(q, { k }));
        // the quantised path ran: a few candidates rescored, not the 200 records
        expect(int8.lastScan.rescored).toBeLessThan(100);
      }
      const filter = F.eq("long", false);
      expect(int8.querySync(q, { k: 10, filter })).toEqual(float.querySync(q, { k: 10, filter }));
    }
  });
});
