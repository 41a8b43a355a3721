import { AbortError, type Filter, FilterError, type HybridRetriever, ValidationError } from "@ragloom/core";
import { asSchema } from "ai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RetrieverTool, type RetrieverToolOutput, retrieverTool } from "../src/index.js";
import { realRetriever } from "./fixtures.js";

/** Calls a tool's execute (always present on the tools of this package). */
/** Source document ids of the results (chunk ids carry a version suffix). */
const parents = (out: RetrieverToolOutput) => out.documents.map((d) => String(d.metadata.parentId)).sort();

function run(t: RetrieverTool, input: unknown, signal?: AbortSignal) {
  return t.execute(input as never, { abortSignal: signal });
}

describe("retrieverTool over a real MiniLM retriever", () => {
  let retriever: HybridRetriever;
  let embedder: Awaited<ReturnType<typeof realRetriever>>["embedder"];
  beforeAll(async () => {
    ({ retriever, embedder } = await realRetriever());
  });
  afterAll(async () => {
    await embedder.dispose?.();
  });

  it("returns compact, JSON-able documents, best first, at most k", async () => {
    const t = retrieverTool(retriever, { k: 2 });
    const out = await run(t, { query: "  how do I retry a failed request?  " });
    expect(out.query).toBe("how do I retry a failed request?");
    expect(out.documents).toHaveLength(2);
    for (const d of out.documents) {
      expect(Object.keys(d).sort()).toEqual(["id", "metadata", "score", "source", "text"]);
      expect(typeof d.text).toBe("string");
      expect(d.score).toBeGreaterThanOrEqual(-1);
      expect(d.score).toBeLessThanOrEqual(1);
      expect(Math.round(d.score * 1e4) / 1e4).toBe(d.score);
    }
    const scores = out.documents.map((d) => d.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    expect(JSON.parse(JSON.stringify(out))).toEqual(out);
    const all = await run(t, { query: "resilience", k: 3 });
    expect(parents(all)).toEqual(["breaker", "cache", "retry"]);
    const byId = Object.fromEntries(all.documents.map((d) => [String(d.metadata.parentId), d]));
    // metadata.source when present, else metadata.parentId (the id of the source document)
    expect(byId.retry!.source).toBe("docs/retries.md");
    expect(byId.breaker!.source).toBe("breaker");
    expect(byId.breaker!.metadata).toMatchObject({
      title: "Circuit breakers",
      tags: ["resilience", "breaker"],
    });
  });

  it("cuts long texts, keeps chosen metadata fields and uses a custom source", async () => {
    const t = retrieverTool(retriever, {
      maxTextLength: 20,
      metadataFields: ["title", "missing"],
      source: (d) => `kb:${d.id}`,
    });
    const out = await run(t, { query: "circuit breaker", k: 3 });
    for (const d of out.documents) {
      expect(d.text).toHaveLength(20);
      expect(d.truncated).toBe(true);
      expect(Object.keys(d.metadata)).toEqual(["title"]);
      expect(d.source).toBe(`kb:${d.id}`);
      expect(d.id).toMatch(/^(retry|breaker|cache)@/);
    }
  });

  it("applies the model's filter (validated) AND-ed with the fixed filter", async () => {
    const model: Filter = { op: "gte", field: "year", value: 2021 };
    const open = retrieverTool(retriever, { allowFilter: true });
    const a = await run(open, { query: "resilience", k: 3, filter: model });
    expect(parents(a)).toEqual(["cache", "retry"]);
    const fixed = retrieverTool(retriever, {
      allowFilter: true,
      filter: { op: "ne", field: "package", value: "lru-cache" },
    });
    const b = await run(fixed, { query: "resilience", k: 3, filter: model });
    expect(parents(b)).toEqual(["retry"]);
    const c = await run(fixed, { query: "resilience", k: 3 });
    expect(parents(c)).toEqual(["breaker", "retry"]);
    const nested = await run(open, {
      query: "resilience",
      k: 3,
      filter: {
        op: "or",
        filters: [
          { op: "contains", field: "tags", value: "breaker" },
          { op: "not", filter: { op: "in", field: "package", value: ["p-retry", "opossum"] } },
        ],
      },
    });
    expect(parents(nested)).toEqual(["breaker", "cache"]);
  });

  it("drops a filter when filters are not allowed (no filter field in the schema)", async () => {
    const t = retrieverTool(retriever);
    const json = (await asSchema(t.inputSchema).jsonSchema) as { properties: Record<string, unknown> };
    expect(Object.keys(json.properties).sort()).toEqual(["k", "query"]);
    const out = await run(t, { query: "resilience", k: 3, filter: { op: "eq", field: "year", value: 1 } });
    expect(out.documents).toHaveLength(3);
  });

  it("describes the bounds in its JSON Schema", async () => {
    const t = retrieverTool(retriever, { maxK: 7, maxQueryLength: 50, allowFilter: true, description: "kb" });
    expect(t.description).toBe("kb");
    const json = (await asSchema(t.inputSchema).jsonSchema) as {
      required: string[];
      properties: Record<string, Record<string, unknown>>;
    };
    expect(json.required).toEqual(["query"]);
    expect(json.properties.query).toMatchObject({ type: "string", minLength: 1, maxLength: 50 });
    expect(json.properties.k).toMatchObject({ type: "integer", minimum: 1, maximum: 7 });
    expect(json.properties.filter).toBeDefined();
  });

  it("rejects bad input through the schema (what the AI SDK checks) and through execute", async () => {
    const t = retrieverTool(retriever, { maxK: 5, maxQueryLength: 40, allowFilter: true });
    const schema = asSchema(t.inputSchema);
    const bad: Array<[unknown, typeof ValidationError | typeof FilterError]> = [
      [{ query: "retry", k: 0 }, ValidationError],
      [{ query: "retry", k: 6 }, ValidationError],
      [{ query: "retry", k: 2.5 }, ValidationError],
      [{ query: "retry", k: "3" }, ValidationError],
      [{ query: "x".repeat(41) }, ValidationError],
      [{ query: "   " }, ValidationError],
      [{ k: 2 }, ValidationError],
      [{ query: "retry", filter: { op: "regex", field: "title", value: "R.*" } }, FilterError],
      [{ query: "retry", filter: { op: "gt", field: "year", value: "2020" } }, FilterError],
      [{ query: "retry", filter: { op: "eq", field: "__proto__", value: 1 } }, FilterError],
      [{ query: "retry", filter: { op: "eq", field: "$where", value: 1 } }, FilterError],
      [{ query: "retry", filter: { op: "and", filters: [] } }, FilterError],
      [{ query: "retry", filter: { op: "eq", field: "year", value: 1, extra: true } }, FilterError],
    ];
    for (const [input, type] of bad) {
      const checked = await schema.validate!(input);
      expect(checked.success, JSON.stringify(input)).toBe(false);
      await expect(run(t, input), JSON.stringify(input)).rejects.toBeInstanceOf(type);
    }
    const err = (await run(t, { query: "retry", filter: { op: "eq", field: "__proto__", value: 1 } }).then(
      () => undefined,
      (e: unknown) => e,
    )) as FilterError;
    expect(err.path).toBe("/field");
    const ok = await schema.validate!({
      query: " retry ",
      k: 5,
      filter: { op: "eq", field: "year", value: 1 },
    });
    expect(ok).toMatchObject({ success: true, value: { query: "retry", k: 5 } });
  });

  it("rejects bad options at once", () => {
    expect(() => retrieverTool(retriever, { k: 0 })).toThrow(ValidationError);
    expect(() => retrieverTool(retriever, { k: 30, maxK: 20 })).toThrow(ValidationError);
    expect(() => retrieverTool(retriever, { maxQueryLength: 0 })).toThrow(ValidationError);
    expect(() => retrieverTool(retriever, { maxTextLength: 1.5 })).toThrow(ValidationError);
    expect(() => retrieverTool(retriever, { filter: { op: "eq", field: "", value: 1 } })).toThrow(
      FilterError,
    );
    expect(() => retrieverTool({} as never)).toThrow(ValidationError);
  });

  it("honours the abort signal: before the call and while the retriever runs", async () => {
    const t = retrieverTool(retriever);
    const before = new AbortController();
    before.abort(new AbortError("user left"));
    await expect(run(t, { query: "retry" }, before.signal)).rejects.toMatchObject({
      name: "AbortError",
      message: "user left",
    });
    const during = new AbortController();
    const pending = run(t, { query: "how does a circuit breaker recover?" }, during.signal);
    during.abort();
    await expect(pending).rejects.toMatchObject({ name: "AbortError" });
  });
});
