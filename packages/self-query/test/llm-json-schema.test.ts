import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import { compileSchema } from "../src/compiled-schema.js";
import {
  ALLOWED_OPERATORS,
  answerJsonSchema,
  ISO_DATE_PATTERN,
  promptExamples,
  promptMessages,
  ungroundedParts,
  validateSchemaFilter,
} from "../src/index.js";
import { NOW, schemas } from "./accuracy.js";

const ajv = new Ajv({ strict: true, allErrors: false });
ajv.addFormat("date", new RegExp(ISO_DATE_PATTERN));
const docs = compileSchema(schemas.docs!);
const check = ajv.compile(answerJsonSchema(docs));
const answer = (filter: unknown) => ({ query: "q", filter });

describe("answerJsonSchema", () => {
  it("accepts every comparison the schema validation accepts, for each operator of each attribute", () => {
    for (const a of docs.attributes) {
      for (const op of ALLOWED_OPERATORS[a.type]) {
        const one =
          a.type === "number"
            ? 5
            : a.type === "date"
              ? "2023-04-01"
              : a.type === "boolean"
                ? true
                : a.values
                  ? String(typeof a.values[0] === "object" ? a.values[0].value : a.values[0])
                  : "Ada Lovelace";
        const value = op === "in" || op === "nin" ? [one] : one;
        const leaf = { field: a.name, op, value };
        expect(check(answer(leaf)), `${a.name} ${op}: ${ajv.errorsText(check.errors)}`).toBe(true);
        expect(() => validateSchemaFilter({ op, field: a.name, value }, docs, { now: NOW })).not.toThrow();
      }
    }
  });

  it("rejects operators an attribute's type does not allow", () => {
    for (const a of docs.attributes) {
      for (const op of ["eq", "ne", "gt", "gte", "lt", "lte", "in", "nin", "contains", "like", "$where"]) {
        if (ALLOWED_OPERATORS[a.type].includes(op)) continue;
        for (const value of [1, "x", true, ["x"], [1]]) {
          expect(check(answer({ field: a.name, op, value })), `${a.name} ${op}`).toBe(false);
        }
      }
    }
  });

  it("rejects unknown attributes, values of the wrong type, values outside the enum and extra keys", () => {
    const bad = [
      { field: "colour", op: "eq", value: "red" },
      { field: "__proto__", op: "eq", value: 1 },
      { field: "reading_minutes", op: "gt", value: "ten" },
      { field: "published", op: "gte", value: "March 2023" },
      { field: "published", op: "gte", value: 1680307200000 },
      { field: "beginner_friendly", op: "eq", value: "yes" },
      { field: "technology", op: "eq", value: "cobol" },
      { field: "technology", op: "in", value: "redis" },
      { field: "technology", op: "in", value: [] },
      { field: "tags", op: "contains", value: ["hooks"] },
      { field: "author", op: "eq", value: "" },
      { field: "author", op: "eq", value: "x".repeat(61) },
      { field: "technology", op: "eq", value: "redis", extra: 1 },
    ];
    for (const leaf of bad) expect(check(answer(leaf)), JSON.stringify(leaf)).toBe(false);
    expect(check({ query: "q" })).toBe(false);
    expect(check({ filter: null })).toBe(false);
    expect(check({ query: "x".repeat(121), filter: null })).toBe(false);
    expect(check({ query: "q", filter: null, conditions: [] })).toBe(false);
  });

  it("bounds nesting: and/or of comparisons, negated comparisons and one more and/or level", () => {
    const leaf = { field: "technology", op: "eq", value: "redis" };
    const not = { op: "not", filter: leaf };
    const group = (...filters: unknown[]) => ({ op: "and", filters });
    expect(check(answer(null))).toBe(true);
    expect(check(answer(not))).toBe(true);
    expect(check(answer(group(leaf, not, { op: "or", filters: [leaf, not] })))).toBe(true);
    expect(check(answer(group(leaf)))).toBe(false); // one child: not a group
    expect(check(answer(group(leaf, leaf, leaf, leaf, leaf)))).toBe(false); // more than 4
    expect(check(answer({ op: "not", filter: not }))).toBe(false);
    expect(check(answer({ op: "not", filter: group(leaf, leaf) }))).toBe(false);
    expect(check(answer(group(leaf, group(leaf, group(leaf, leaf)))))).toBe(false); // depth 4
  });

  it("rejects bad options", () => {
    expect(() => answerJsonSchema(docs, { maxConditions: 0 })).toThrowError(RangeError);
  });

  it("every example of the prompt is valid against its schema and the schema validation", () => {
    for (const s of Object.values(schemas)) {
      const c = compileSchema(s);
      const validate = ajv.compile(answerJsonSchema(c));
      const examples = promptExamples(c, NOW);
      expect(examples.length).toBeGreaterThanOrEqual(2);
      expect(examples.length).toBeLessThanOrEqual(3);
      for (const e of examples) {
        expect(validate(e.answer), `${e.request}: ${ajv.errorsText(validate.errors)}`).toBe(true);
        const filter = e.answer.filter ? validateSchemaFilter(e.answer.filter, c, { now: NOW }) : null;
        expect(ungroundedParts({ query: e.answer.query, filter }, e.request, c)).toEqual([]);
      }
      const messages = promptMessages(c, NOW, "Request text");
      expect(messages[0]!.content).toContain(`Today is ${NOW.toISOString().slice(0, 10)}`);
      expect(messages[0]!.content).toContain("gte 2023-04-01");
      expect(messages.at(-1)).toEqual({ role: "user", content: "Request: Request text" });
    }
  });
});

describe("ungroundedParts", () => {
  const products = compileSchema(schemas.products!);
  const f = (filter: unknown) => validateSchemaFilter(filter, products, { now: NOW });
  it("accepts values and query words written in the request (plurals, typos, units, synonyms)", () => {
    const request = "sony headphnes under $1,200 released after 2021";
    const filter = f({
      op: "and",
      filters: [
        { op: "eq", field: "brand", value: "sony" },
        { op: "lt", field: "price", value: 1200 },
        { op: "gte", field: "released", value: "2022-01-01" },
      ],
    });
    expect(ungroundedParts({ query: "headphones", filter }, request, products)).toEqual([]);
  });

  it("reports values and query words copied from elsewhere", () => {
    const filter = f({ op: "eq", field: "brand", value: "apple" });
    const out = ungroundedParts({ query: "how do I get started", filter }, "sony headphones", products);
    expect(out.join(" ")).toContain("query words not in the request: how, do, i, get, started");
    expect(out.join(" ")).toContain('brand = "apple"');
    const price = f({ op: "gt", field: "price", value: 50 });
    expect(ungroundedParts({ query: "", filter: price }, "laptops under 900", products)[0]).toContain(
      "price = 50",
    );
  });
});
