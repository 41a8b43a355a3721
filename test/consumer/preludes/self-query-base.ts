// biome-ignore-all lint/correctness/noUnusedVariables lint/correctness/noUnusedImports: the README block this prelude is prepended to uses its names
// Prelude of the requiredFilter block of packages/self-query: createSelfQueryRetriever, a base
// retriever, the example's schema and a session with a tenant id.
import { BM25Index as PreludeBM25Index, type Retriever as PreludeRetriever } from "@ragloom/core";
import { createSelfQueryRetriever, defineSchema as preludeDefineSchema } from "@ragloom/self-query";

const preludeIndex = new PreludeBM25Index();
preludeIndex.add([{ id: "1", text: "Redis caching guide", metadata: { tenant: "acme", lang: "en" } }]);
const base: PreludeRetriever = {
  retrieve: async (query, options) => ({
    documents: preludeIndex.search(query, { k: options?.k ?? 4 }),
    timings: {},
  }),
};
const schema = preludeDefineSchema([
  { name: "technology", type: "string", description: "Main technology", values: ["redis", "kubernetes"] },
  { name: "lang", type: "string", description: "Language", values: ["en", "fr"] },
  { name: "tenant", type: "string", description: "Tenant" },
]);
const session = { tenantId: "acme" };
