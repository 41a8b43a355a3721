import { describe, expect, it } from "vitest";
import { createRuleBasedParser, defineSchema, parse, type SelfQueryResult } from "../src/index.js";

const schema = defineSchema([
  {
    name: "technology",
    type: "string",
    description: "main technology",
    values: [
      "redis",
      { value: "kubernetes", synonyms: ["k8s"] },
      "react",
      "vue",
      { value: "go", synonyms: ["golang"] },
    ],
  },
  {
    name: "doc_type",
    type: "string",
    description: "kind of page",
    values: ["tutorial", "reference", "changelog"],
  },
  { name: "published", type: "date", description: "publication date" },
  { name: "tags", type: "string[]", description: "tags", values: ["hooks", "state"] },
  { name: "open_access", type: "boolean", description: "free to read" },
  { name: "year", type: "number", description: "release year", synonyms: ["released"] },
]);
const now = () => new Date("2024-06-15T00:00:00Z");
const p = (r: string) => parse(r, schema, { now });

describe("rule-based parser", () => {
  it("parses the issue's example", () => {
    const out = p("redis guides published after March 2023, not the changelogs");
    expect(out.query).toBe("guides");
    expect(out.filter).toEqual({
      op: "and",
      filters: [
        { op: "eq", field: "technology", value: "redis" },
        { op: "gte", field: "published", value: Date.UTC(2023, 3, 1) },
        { op: "ne", field: "doc_type", value: "changelog" },
      ],
    });
    expect(out.parser).toBe("rules");
  });

  it("does not turn incidental numbers and titles into filters", () => {
    expect(p("HTTP 404 errors in Go").filter).toEqual({ op: "eq", field: "technology", value: "go" });
    expect(p("movies like 2001: A Space Odyssey").filter).toBeNull();
    expect(p("how to go from callbacks to promises").filter).toBeNull();
  });

  it("reads lists, synonyms, typos, booleans and array membership", () => {
    expect(p("react or vue tutorials").filter).toEqual({
      op: "and",
      filters: [
        { op: "in", field: "technology", value: ["react", "vue"] },
        { op: "eq", field: "doc_type", value: "tutorial" },
      ],
    });
    expect(p("k8s").filter).toEqual({ op: "eq", field: "technology", value: "kubernetes" });
    const typo = p("kubernets tutorials");
    expect(typo.filter).toMatchObject({ filters: [{ value: "kubernetes" }, { value: "tutorial" }] });
    expect(typo.warnings.join()).toContain("kubernets");
    expect(p("open access only").filter).toEqual({ op: "eq", field: "open_access", value: true });
    expect(p("tagged hooks").filter).toEqual({ op: "contains", field: "tags", value: "hooks" });
    expect(p("not tagged hooks").filter).toEqual({
      op: "not",
      filter: { op: "contains", field: "tags", value: "hooks" },
    });
  });

  it("reads dates relative to the injected clock", () => {
    expect(p("released last year").filter).toEqual({ op: "eq", field: "year", value: 2023 });
    expect(p("published in the last 3 months").filter).toEqual({
      op: "gte",
      field: "published",
      value: Date.UTC(2024, 2, 15),
    });
    const later = parse("released last year", schema, { now: () => new Date("2030-01-02T00:00:00Z") });
    expect(later.filter).toEqual({ op: "eq", field: "year", value: 2029 });
  });

  it("reads decades and ranges", () => {
    // a decade names an era: the year attribute takes it, a date attribute needs its cue
    expect(p("the 90s").filter).toEqual({
      op: "and",
      filters: [
        { op: "gte", field: "year", value: 1990 },
        { op: "lte", field: "year", value: 1999 },
      ],
    });
    expect(p("published in the 90s").filter).toEqual({
      op: "and",
      filters: [
        { op: "gte", field: "published", value: Date.UTC(1990, 0, 1) },
        { op: "lt", field: "published", value: Date.UTC(2000, 0, 1) },
      ],
    });
    expect(p("released between 2001 and 2003").filter).toEqual({
      op: "and",
      filters: [
        { op: "gte", field: "year", value: 2001 },
        { op: "lte", field: "year", value: 2003 },
      ],
    });
  });

  it("builds disjunctions across attributes", () => {
    expect(p("redis tutorials or anything tagged state").filter).toEqual({
      op: "or",
      filters: [
        {
          op: "and",
          filters: [
            { op: "eq", field: "technology", value: "redis" },
            { op: "eq", field: "doc_type", value: "tutorial" },
          ],
        },
        { op: "contains", field: "tags", value: "state" },
      ],
    });
  });

  it("reads after <period> as after the period has ended by default, and honours afterPeriod", () => {
    const dflt = parse("published after March 2023", schema, { now });
    expect(dflt.filter).toEqual({ op: "gte", field: "published", value: Date.UTC(2023, 3, 1) });
    const start = parse("published after March 2023", schema, { now, afterPeriod: "start" });
    expect(start.filter).toEqual({ op: "gt", field: "published", value: Date.UTC(2023, 2, 1) });
  });

  it("is available as a parser object and rejects bad requests with typed errors", () => {
    const parser = createRuleBasedParser({ now });
    expect((parser.parse("redis", schema) as SelfQueryResult).filter).toEqual({
      op: "eq",
      field: "technology",
      value: "redis",
    });
    expect(() => p("x".repeat(2001))).toThrowError("maxRequestLength");
    expect(() => parse(42 as never, schema)).toThrowError("must be a string");
  });
});
