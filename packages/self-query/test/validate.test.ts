import { FilterError, ValidationError } from "@ragloom/core";
import { describe, expect, it } from "vitest";
import { defineSchema, SchemaFilterError, validateSchemaFilter } from "../src/index.js";

const schema = defineSchema([
  {
    name: "technology",
    type: "string",
    description: "tech",
    values: ["redis", { value: "kubernetes", synonyms: ["k8s"] }],
  },
  { name: "author", type: "string", description: "free text" },
  { name: "published", type: "date", description: "date" },
  { name: "pages", type: "number", description: "pages" },
  {
    name: "open_access",
    type: "boolean",
    description: "oa",
    values: [{ value: false, synonyms: ["paywalled"] }],
  },
  { name: "tags", type: "string[]", description: "tags", values: ["hooks", "state"] },
]);
const now = new Date("2024-06-15T00:00:00Z");

describe("defineSchema", () => {
  it.each([
    [[], "non-empty"],
    [[{ name: "__proto__", type: "string", description: "" }], "invalid name"],
    [[{ name: "$where", type: "string", description: "" }], "invalid name"],
    [[{ name: "a", type: "object", description: "" }], "unknown type"],
    [[{ name: "a", type: "number", description: "", values: ["1"] }], "enumerated"],
    [[{ name: "a", type: "boolean", description: "", values: ["yes"] }], "bad enumerated"],
    [[{ name: "a", type: "string", description: "", units: { h: 60 } }], "units"],
    [
      [
        { name: "a", type: "string", description: "" },
        { name: "a", type: "string", description: "" },
      ],
      "duplicate",
    ],
  ])("rejects %j", (attrs, message) => {
    expect(() => defineSchema(attrs as never)).toThrowError(ValidationError);
    expect(() => defineSchema(attrs as never)).toThrowError(message);
  });

  it("freezes the schema", () => {
    expect(Object.isFrozen(schema.attributes[0])).toBe(true);
  });
});

describe("validateSchemaFilter", () => {
  it("coerces values to the attribute types and canonical enum values", () => {
    const f = validateSchemaFilter(
      {
        op: "and",
        filters: [
          { op: "eq", field: "technology", value: "K8S" },
          { op: "gt", field: "pages", value: "1,200" },
          { op: "eq", field: "open_access", value: "paywalled" },
          { op: "gte", field: "published", value: "March 2023" },
          { op: "lt", field: "published", value: 2020 },
          { op: "in", field: "technology", value: ["redis", "Redis", "kubernetes"] },
          { op: "contains", field: "tags", value: "hooks" },
          { op: "eq", field: "author", value: 42 },
        ],
      },
      schema,
      { now },
    );
    expect(f).toEqual({
      op: "and",
      filters: [
        { op: "eq", field: "technology", value: "kubernetes" },
        { op: "gt", field: "pages", value: 1200 },
        { op: "eq", field: "open_access", value: false },
        { op: "gte", field: "published", value: Date.UTC(2023, 2, 1) },
        { op: "lt", field: "published", value: Date.UTC(2020, 0, 1) },
        { op: "in", field: "technology", value: ["redis", "kubernetes"] },
        { op: "contains", field: "tags", value: "hooks" },
        { op: "eq", field: "author", value: "42" },
      ],
    });
  });

  it("turns equality on a date period into a range", () => {
    expect(validateSchemaFilter({ op: "eq", field: "published", value: "2022" }, schema, { now })).toEqual({
      op: "and",
      filters: [
        { op: "gte", field: "published", value: Date.UTC(2022, 0, 1) },
        { op: "lt", field: "published", value: Date.UTC(2023, 0, 1) },
      ],
    });
    expect(
      validateSchemaFilter({ op: "eq", field: "published", value: "2023-03-01T10:00:00Z" }, schema),
    ).toEqual({
      op: "eq",
      field: "published",
      value: Date.parse("2023-03-01T10:00:00Z"),
    });
  });

  it.each([
    [{ op: "eq", field: "colour", value: "red" }, "unknown_attribute"],
    [{ op: "eq", field: "__proto__", value: "x" }, "unknown_attribute"],
    [{ op: "contains", field: "$document", value: "x" }, "unknown_attribute"],
    [{ op: "gt", field: "technology", value: "redis" }, "operator_not_allowed"],
    [{ op: "eq", field: "tags", value: "hooks" }, "operator_not_allowed"],
    [{ op: "in", field: "tags", value: ["hooks"] }, "operator_not_allowed"],
    [{ op: "gt", field: "open_access", value: 1 }, "operator_not_allowed"],
    [{ op: "eq", field: "technology", value: "mongodb" }, "invalid_value"],
    [{ op: "gt", field: "pages", value: "many" }, "invalid_value"],
    [{ op: "gt", field: "published", value: "someday soon" }, "invalid_value"],
    [{ op: "eq", field: "open_access", value: "maybe" }, "invalid_value"],
    [{ op: "in", field: "technology", value: [] }, "invalid_value"],
    [{ op: "eq", field: "author", value: { $gt: 1 } }, "invalid_value"],
    [{ op: "$where", field: "pages", value: 1 }, "invalid_filter"],
    [{ op: "and", filters: [] }, "invalid_filter"],
    [{ op: "eq", field: "pages", value: 1, extra: 1 }, "invalid_filter"],
    [JSON.parse('{"op":"eq","field":"pages","value":1,"__proto__":{"polluted":1}}'), "invalid_filter"],
    ["pages > 3", "invalid_filter"],
    [null, "invalid_filter"],
  ])("rejects %j as %s", (input, reason) => {
    try {
      validateSchemaFilter(input, schema, { now });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(SchemaFilterError);
      expect(e).toBeInstanceOf(FilterError);
      expect((e as SchemaFilterError).reason).toBe(reason);
    }
  });

  it("accepts document-text filters only when allowed", () => {
    const f = { op: "contains", field: "$document", value: "retry" };
    expect(validateSchemaFilter(f, schema, { allowDocumentFilter: true })).toEqual(f);
  });

  it("rejects deep nesting without overflowing the stack", () => {
    let deep: unknown = { op: "eq", field: "pages", value: 1 };
    for (let i = 0; i < 10_000; i++) deep = { op: "not", filter: deep };
    expect(() => validateSchemaFilter(deep, schema)).toThrowError("nested too deeply");
  });
});
