import { describe, expect, it } from "vitest";
import { defineSchema, parse } from "../src/index.js";
import { singular, stem } from "../src/rules/tokenize.js";

// An invented schema (a seed catalogue) for the word-form, name, unit, decade and edition mechanisms.
const schema = defineSchema([
  {
    name: "plant",
    type: "string",
    description: "kind of plant",
    values: ["tomato", "cactus", "fern", "lily"],
  },
  { name: "brand", type: "string", description: "seed company", values: ["rhs", "vfw"] },
  { name: "gardeners", type: "string[]", description: "full names of the gardeners who tested it" },
  { name: "organic", type: "boolean", description: "grown without synthetic pesticides" },
]);
const p = (r: string) => parse(r, schema, { now: new Date("2025-03-01T00:00:00Z") }).filter;

describe("word forms", () => {
  it("makes nouns singular with a library, irregular plurals included", () => {
    expect(singular("cacti")).toBe("cactus");
    expect(singular("lilies")).toBe("lily");
    expect(singular("women")).toBe("woman");
    expect(singular("us")).toBe("us");
  });
  it("stems derived forms alike (Porter2)", () => {
    expect(stem("growers")).toBe(stem("grower"));
    expect(stem("tested")).toBe(stem("testing"));
  });
  it("reads irregular and vowel-less plurals of values", () => {
    expect(p("cacti")).toEqual({ op: "eq", field: "plant", value: "cactus" });
    expect(p("VFWs ferns")).toEqual({
      op: "and",
      filters: [
        { op: "eq", field: "brand", value: "vfw" },
        { op: "eq", field: "plant", value: "fern" },
      ],
    });
  });
});
