import { describe, expect, it } from "vitest";
import { defineSchema, parse } from "../src/index.js";

// Invented schemas (a tea catalogue, a guidebook shop) with the country attribute written three ways.
const teas = defineSchema([
  { name: "name", type: "string", description: "name of the tea" },
  {
    name: "origin",
    type: "string",
    description: "country where the leaves were grown, e.g. 'China', 'Kenya'",
  },
  {
    name: "style",
    type: "string",
    description: "kind of tea",
    values: ["green", "black", "oolong", "white"],
  },
]);
const coded = defineSchema([
  {
    name: "origin_country",
    type: "string",
    description: "ISO code of the producing country, e.g. 'CN', 'KE'",
  },
  {
    name: "style",
    type: "string",
    description: "kind of tea",
    values: ["green", "black", "oolong", "white"],
  },
]);
const guides = defineSchema([
  {
    name: "country",
    type: "string",
    description: "country covered",
    values: ["japan", "sri_lanka", "united_kingdom"],
  },
  { name: "language", type: "string", description: "language of the text", values: ["english", "japanese"] },
]);
const dishes = defineSchema([
  {
    name: "cuisine",
    type: "string",
    description: "style of cooking",
    values: ["italian", "thai", "mexican"],
  },
  { name: "vegetarian", type: "boolean", description: "contains no meat or fish" },
]);
const trips = defineSchema([
  { name: "from_country", type: "string", description: "country of departure" },
  { name: "to_country", type: "string", description: "country of arrival" },
]);

describe("countries (names, spellings, codes and demonyms from world-countries)", () => {
  it("reads demonyms and lower-case names, in the attribute's own spelling", () => {
    expect(parse("japanese or indian teas", teas).filter).toEqual({
      op: "in",
      field: "origin",
      value: ["Japan", "India"],
    });
    expect(parse("green teas from sri lanka", teas).filter).toEqual({
      op: "and",
      filters: [
        { op: "eq", field: "style", value: "green" },
        { op: "eq", field: "origin", value: "Sri Lanka" },
      ],
    });
  });
  it("reads codes only as written in capitals, and writes codes when the examples are codes", () => {
    expect(parse("black tea from the UK", teas).filter).toEqual({
      op: "and",
      filters: [
        { op: "eq", field: "style", value: "black" },
        { op: "eq", field: "origin", value: "United Kingdom" },
      ],
    });
    expect(parse("show us some white teas", teas).filter).toEqual({
      op: "eq",
      field: "style",
      value: "white",
    });
    expect(parse("kenyan black tea", coded).filter).toEqual({
      op: "and",
      filters: [
        { op: "eq", field: "origin_country", value: "KE" },
        { op: "eq", field: "style", value: "black" },
      ],
    });
  });
  it("maps to an enumerated value, and leaves a word another attribute holds to it", () => {
    expect(parse("guides to Sri Lanka", guides).filter).toEqual({
      op: "eq",
      field: "country",
      value: "sri_lanka",
    });
    expect(parse("british guides", guides).filter).toEqual({
      op: "eq",
      field: "country",
      value: "united_kingdom",
    });
    expect(parse("guides written in japanese", guides).filter).toEqual({
      op: "eq",
      field: "language",
      value: "japanese",
    });
  });
  it("reads a country as the nationality an attribute's values name", () => {
    expect(parse("vegetarian dishes from thailand", dishes).filter).toEqual({
      op: "and",
      filters: [
        { op: "eq", field: "vegetarian", value: true },
        { op: "eq", field: "cuisine", value: "thai" },
      ],
    });
    expect(parse("recipes from Mexico or Italy", dishes).filter).toEqual({
      op: "in",
      field: "cuisine",
      value: ["mexican", "italian"],
    });
    expect(parse("dishes from japan", dishes).filter).toBeNull();
  });
  it("is negated like any value, and reads nothing when two attributes hold countries", () => {
    expect(parse("teas not from China", teas).filter).toEqual({ op: "ne", field: "origin", value: "China" });
    expect(parse("trips to japan", trips).filter).toBeNull();
  });
});
