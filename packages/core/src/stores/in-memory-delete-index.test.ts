import { describe, expect, it, vi } from "vitest";
import { F } from "../filter/builders.js";
import type { Filter } from "../filter/types.js";
import type { VectorRecord } from "../types/vector-store.js";
import { InMemoryVectorStore } from "./in-memory-vector-store.js";

// Counts how many records the compiled filters test (fault-free instrumentation of the real code).
const evaluated = vi.hoisted(() => ({ n: 0 }));
vi.mock("../filter/compile.js", async (importOriginal) => {
  const mod = await importOriginal<typeof import("../filter/compile.js")>();
  return {
    ...mod,
    compileNormal: (filter: Parameters<typeof mod.compileNormal>[0]) => {
      const match = mod.compileNormal(filter);
      return (metadata: never, text: string) => {
        evaluated.n++;
        return match(metadata, text);
      };
    },
  };
});

let seed = 23;
const rand = () => {
  seed = (seed * 16807) % 2147483647;
  return seed / 2147483647 - 0.5;
};

/** Chunks as createRetriever writes them: `${doc}@${version}#${i}` with parentId and parentVersion. */
const chunks = (docs: number, versions: number, perVersion: number, d = 8): VectorRecord[] => {
  const out: VectorRecord[] = [];
  for (let doc = 0; doc < docs; doc++) {
    for (let v = 0; v < versions; v++) {
      for (let i = 0; i < perVersion; i++) {
        out.push({
          id: `d${doc}@v${v}#${i}`,
          text: `chunk ${i}`,
          metadata: { parentId: `d${doc}`, parentVersion: `v${v}`, i },
          vector: Array.from({ length: d }, rand),
        });
      }
    }
  }
  return out;
};

describe("deleteWhere through the parentId index", () => {
  it("tests only the chunks of the named documents, not every record", async () => {
    const store = new InMemoryVectorStore({ dimensions: 8 });
    await store.upsert(chunks(2000, 2, 5)); // 20,000 records
    evaluated.n = 0;
    const removed = await store.deleteWhere(
      F.and(F.in("parentId", ["d7", "d1999"]), F.nin("parentVersion", ["v1"])),
    );
    expect(removed).toBe(10);
    expect(evaluated.n).toBe(20); // the 2 × 10 chunks of d7 and d1999
    expect(await store.count()).toBe(19_990);
    expect((await store.get(["d7@v0#0", "d7@v1#0"])).map((r) => r.id)).toEqual(["d7@v1#0"]);
  });

  it("deletes what a scan deletes, for random filters, replaced metadata and moved rows", async () => {
    const make = (indexedFields?: string[]) => new InMemoryVectorStore({ dimensions: 8, indexedFields });
    const indexed = make();
    const scanned = make([]);
    const all = chunks(60, 3, 4);
    for (const store of [indexed, scanned]) {
      await store.upsert(all);
      // replaced metadata must leave the index: chunk d0@v0#0 moves to document d1
      await store.upsert([{ ...all[0]!, metadata: { parentId: "d1", parentVersion: "v9" } }]);
      await store.upsert([{ ...all[1]!, metadata: { parentId: ["d2"], parentVersion: "v0" } }]); // an array: never eq
      await store.delete(["d5@v1#2", "d59@v2#3"]);
    }
    const pick = () => `d${Math.floor((rand() + 0.5) * 62)}`;
    const filters: Filter[] = [];
    for (let t = 0; t < 40; t++) {
      filters.push(
        F.and(F.in("parentId", [pick(), pick(), pick()]), F.nin("parentVersion", [`v${t % 3}`])),
        F.eq("parentId", pick()),
        F.or(F.eq("parentId", pick()), F.in("parentId", [pick()])),
        F.and(F.eq("parentId", pick()), F.gt("i", 1)),
      );
    }
    filters.push(
      F.eq("parentId", "d1"),
      F.eq("parentId", "d2"),
      F.ne("parentId", "d3"),
      F.in("parentId", ["d0"]),
    );
    for (const filter of filters) {
      const a = await indexed.deleteWhere(filter);
      const b = await scanned.deleteWhere(filter);
      expect(a).toBe(b);
      expect(indexed.listIds().sort()).toEqual(scanned.listIds().sort());
    }
  });
});
