import {
  type Filter,
  FilterError,
  InMemoryVectorStore,
  type Retriever,
  ValidationError,
} from "@ragloom/core";
import { describe, expect, it } from "vitest";
import { createRuleBasedParser, createSelfQueryRetriever, defineSchema } from "../src/index.js";

const schema = defineSchema([
  { name: "technology", type: "string", description: "tech", values: ["redis", "react"] },
  { name: "lang", type: "string", description: "natural language", values: ["en", "fr"] },
  { name: "year", type: "number", description: "publication year" },
]);

async function storeRetriever() {
  const store = new InMemoryVectorStore({ dimensions: 2 });
  const docs = [
    { id: "a", metadata: { technology: "redis", lang: "en", year: 2020 } },
    { id: "b", metadata: { technology: "redis", lang: "fr", year: 2023 } },
    { id: "c", metadata: { technology: "react", lang: "en", year: 2023 } },
    { id: "d", metadata: { technology: "react", lang: "fr", year: 2019 } },
  ];
  await store.upsert(docs.map((d, i) => ({ ...d, text: d.id, vector: [1, i] })));
  const seen: Array<{ query: string; filter: Filter | null | undefined }> = [];
  const retriever: Retriever = {
    async retrieve(query, opts = {}) {
      seen.push({ query, filter: opts.filter });
      return {
        documents: await store.query([1, 0], { k: opts.k ?? 10, filter: opts.filter }),
        timings: { search: 0 },
      };
    },
  };
  return { retriever, seen };
}

const ids = (r: { documents: Array<{ id: string }> }) => r.documents.map((d) => d.id).sort();
const en: Filter = { op: "eq", field: "lang", value: "en" };

describe("createSelfQueryRetriever", () => {
  it("ANDs the default filter with the parsed one and reports what it did", async () => {
    const { retriever, seen } = await storeRetriever();
    const sq = createSelfQueryRetriever({
      retriever,
      schema,
      defaultFilter: en,
      parser: createRuleBasedParser(),
    });
    const res = await sq.retrieve("redis caching tips");
    expect(ids(res)).toEqual(["a"]);
    expect(seen[0]!.query).toBe("caching tips");
    expect(res.info?.selfQuery).toMatchObject({
      defaultFilter: "applied",
      parser: "rules",
      query: "caching tips",
    });
    expect(res.timings.parse).toBeGreaterThanOrEqual(0);
  });

  it("keeps the default filter when nothing is parsed and searches the request when nothing is left", async () => {
    const { retriever, seen } = await storeRetriever();
    const sq = createSelfQueryRetriever({ retriever, schema, defaultFilter: en, mergeFilters: "replace" });
    expect(ids(await sq.retrieve("anything"))).toEqual(["a", "c"]);
    await sq.retrieve("redis");
    expect(seen[1]!.query).toBe("redis");
  });

  it("replaces the default filter only with 'replace', and says so", async () => {
    const { retriever } = await storeRetriever();
    const events: string[] = [];
    const sq = createSelfQueryRetriever({
      retriever,
      schema,
      defaultFilter: en,
      mergeFilters: "replace",
      events: { emit: (e) => events.push(e) },
    });
    const res = await sq.retrieve("redis");
    expect(ids(res)).toEqual(["a", "b"]);
    expect(res.info?.selfQuery).toMatchObject({ defaultFilter: "replaced" });
    expect(events).toContain("self-query:default-filter-replaced");
  });

  it("ORs with 'or' and always ANDs the caller's own filter", async () => {
    const { retriever } = await storeRetriever();
    const sq = createSelfQueryRetriever({ retriever, schema, defaultFilter: en, mergeFilters: "or" });
    expect(ids(await sq.retrieve("redis"))).toEqual(["a", "b", "c"]);
    const only2023: Filter = { op: "eq", field: "year", value: 2023 };
    expect(ids(await sq.retrieve("redis", { filter: only2023 }))).toEqual(["b", "c"]);
  });

  it("always ANDs requiredFilter, whatever mergeFilters and the parser say", async () => {
    const { retriever, seen } = await storeRetriever();
    // the tenant boundary here is `lang`; documents b and d belong to the other tenant
    for (const mergeFilters of ["and", "or", "replace"] as const) {
      const sq = createSelfQueryRetriever({
        retriever,
        schema,
        requiredFilter: en,
        defaultFilter: { op: "eq", field: "year", value: 2023 },
        mergeFilters,
      });
      // requests naming the other tenant's language or year still see only this tenant's documents
      for (const request of ["redis", "react", "anything", "redis or react from 2019", "fr redis"]) {
        const res = await sq.retrieve(request);
        for (const id of ids(res)) expect(["a", "c"], `${mergeFilters}: ${request}`).toContain(id);
        expect(res.info?.selfQuery).toMatchObject({ requiredFilter: true });
        const sent = seen.at(-1)!.filter as Filter & { op: "and"; filters: Filter[] };
        expect(sent.op).toBe("and");
        expect(sent.filters[0]).toEqual(en);
      }
    }
    const onlyRequired = createSelfQueryRetriever({ retriever, schema, requiredFilter: en });
    await onlyRequired.retrieve("anything");
    expect(seen.at(-1)!.filter).toEqual(en);
    expect(() =>
      createSelfQueryRetriever({ retriever, schema, requiredFilter: { op: "eq", field: "$x" } as never }),
    ).toThrowError(FilterError);
  });

  it("rejects bad options and invalid default filters with typed errors", async () => {
    const { retriever } = await storeRetriever();
    expect(() => createSelfQueryRetriever({ retriever, schema, mergeFilters: "xor" as never })).toThrowError(
      ValidationError,
    );
    expect(() =>
      createSelfQueryRetriever({ retriever, schema, defaultFilter: { op: "$where" } as never }),
    ).toThrowError(FilterError);
    await expect(createSelfQueryRetriever({ retriever, schema }).retrieve("  ")).rejects.toThrowError(
      ValidationError,
    );
  });
});
