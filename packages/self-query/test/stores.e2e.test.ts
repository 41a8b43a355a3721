import { type Filter, InMemoryVectorStore, type VectorStore } from "@ragloom/core";
import { createChromaVectorStore, toChromaFilter } from "@ragloom/core/chroma";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startChroma, stopAllServices } from "../../../test/services.js";
import { createSelfQueryRetriever, parse } from "../src/index.js";
import { NOW, requests, rng, schemas, syntheticRecords } from "./accuracy.js";

/**
 * The same parsed filters against the in-memory store and a real Chroma server must select the
 * same documents. Vectors are fixed random vectors: the point is filter equivalence, so `k` is
 * the collection size and result sets are compared as sets.
 */
const DIM = 8;
const N = 150;
let chromaUrl = "";

function vectors(n: number, seed: number): number[][] {
  const r = rng(seed);
  return Array.from({ length: n }, () => Array.from({ length: DIM }, () => r() * 2 - 1));
}

async function fill(store: VectorStore, name: string) {
  const recs = syntheticRecords(name, N, 11);
  const vs = vectors(N, 3);
  await store.upsert(
    recs.map((rec, i) => ({ id: rec.id, text: `doc ${rec.id}`, metadata: rec.metadata, vector: vs[i]! })),
  );
}

/** No one-argument `$and`/`$or`, no empty object anywhere in a Chroma `where`. */
function checkWhere(node: unknown, request: string): void {
  if (Array.isArray(node)) {
    for (const c of node) checkWhere(c, request);
    return;
  }
  if (!node || typeof node !== "object") return;
  const entries = Object.entries(node);
  expect(entries.length, request).toBeGreaterThan(0);
  for (const [k, v] of entries) {
    if (k === "$and" || k === "$or") expect((v as unknown[]).length, request).toBeGreaterThanOrEqual(2);
    checkWhere(v, request);
  }
}

beforeAll(async () => {
  try {
    chromaUrl = (await startChroma()).url;
  } catch (e) {
    throw new Error(
      `Chroma is needed for this test (run \`bash scripts/setup.sh\`): ${(e as Error).message}`,
    );
  }
});
afterAll(() => stopAllServices());

describe("parsed filters on the in-memory store and on Chroma", () => {
  for (const name of Object.keys(schemas)) {
    it(`${name}: every labelled request selects the same documents in both stores`, async () => {
      const schema = schemas[name]!;
      const memory = new InMemoryVectorStore({ dimensions: DIM });
      const chroma = await createChromaVectorStore({
        url: chromaUrl,
        collection: `self_query_${name}`,
        dimensions: DIM,
      });
      await fill(memory, name);
      await fill(chroma, name);
      const probe = vectors(1, 99)[0]!;
      const items = requests.filter((r) => r.schema === name);
      let nonEmpty = 0;
      let checked = 0;
      for (const item of items) {
        const { filter } = parse(item.request, schema, { now: () => NOW });
        if (!filter) continue;
        const clause = toChromaFilter(filter);
        expect(clause.where, item.request).toBeDefined();
        checkWhere(clause.where, item.request);
        const a = (await memory.query(probe, { k: N, filter })).map((h) => h.id).sort();
        const b = (await chroma.query(probe, { k: N, filter })).map((h) => h.id).sort();
        expect(b, item.request).toEqual(a);
        checked++;
        if (a.length > 0) nonEmpty++;
      }
      expect(checked).toBeGreaterThan(items.length / 2);
      expect(nonEmpty).toBeGreaterThan(checked / 3);
    });
  }

  it("runs a self-query retriever over both stores with the same results", async () => {
    const schema = schemas.products!;
    const make = (store: VectorStore) =>
      createSelfQueryRetriever({
        schema,
        parser: { kind: "rules", parse: (r, s) => parse(r, s, { now: () => NOW }) },
        retriever: {
          async retrieve(_query, opts = {}) {
            const hits = await store.query(vectors(1, 99)[0]!, {
              k: opts.k ?? 10,
              filter: opts.filter as Filter | null,
            });
            return { documents: hits, timings: {} };
          },
        },
        defaultFilter: { op: "eq", field: "in_stock", value: true },
      });
    const memory = new InMemoryVectorStore({ dimensions: DIM });
    const chroma = await createChromaVectorStore({
      url: chromaUrl,
      collection: "self_query_products",
      dimensions: DIM,
    });
    await fill(memory, "products");
    await fill(chroma, "products");
    const request = "sony or samsung products under $1500, not black";
    const [a, b] = await Promise.all([
      make(memory).retrieve(request, { k: N }),
      make(chroma).retrieve(request, { k: N }),
    ]);
    expect(b.documents.map((d) => d.id).sort()).toEqual(a.documents.map((d) => d.id).sort());
    expect(a.documents.length).toBeGreaterThan(0);
    for (const d of a.documents) {
      expect(d.metadata.in_stock).toBe(true);
      expect(["sony", "samsung"]).toContain(d.metadata.brand);
      expect(d.metadata.price as number).toBeLessThan(1500);
      expect(d.metadata.colors).not.toContain("black");
    }
  });
});
