import { describe, expect, it } from "vitest";
import { defineSchema, parse } from "../src/index.js";

// An invented schema (a comics shop) with a series, the issue numbering it, and a number
// attribute about the series that holds no position.
const comics = defineSchema([
  { name: "series", type: "string", description: "comic series, e.g. 'Saga', 'Sandman'" },
  { name: "series_issue", type: "number", description: "issue of the comic within its series" },
  { name: "pages", type: "number", description: "number of pages" },
  { name: "writer", type: "string", description: "full name of the writer" },
]);
// A second one where the link is a shared phrase of the descriptions, not the attribute's name.
const festivals = defineSchema([
  { name: "title", type: "string", description: "name of the recurring festival, e.g. 'Glastonbury'" },
  { name: "edition", type: "number", description: "edition of the recurring festival", minimum: 1 },
  { name: "price", type: "number", description: "ticket price" },
]);
const c = (r: string) => parse(r, comics).filter;
const f = (r: string) => parse(r, festivals).filter;

describe("positions in a series beside the series' name", () => {
  it("reads a number after the series value as its position", () => {
    expect(c("Saga 54")).toEqual({
      op: "and",
      filters: [
        { op: "eq", field: "series", value: "Saga" },
        { op: "eq", field: "series_issue", value: 54 },
      ],
    });
  });
  it("reads an ordinal before the series value as its position", () => {
    expect(f("the 50th Glastonbury")).toEqual({
      op: "and",
      filters: [
        { op: "eq", field: "edition", value: 50 },
        { op: "eq", field: "title", value: "Glastonbury" },
      ],
    });
  });
  it("reads no position for a series value alone, nor for a number attribute that holds none", () => {
    expect(c("Sandman")).toEqual({ op: "eq", field: "series", value: "Sandman" });
    const plain = defineSchema([
      { name: "series", type: "string", description: "comic series, e.g. 'Saga'" },
      { name: "pages", type: "number", description: "number of pages of the series" },
    ]);
    expect(parse("Saga 54", plain).filter).toEqual({ op: "eq", field: "series", value: "Saga" });
  });
});

// An invented schema (a climbing-gym guide) for exclusions and quoted words of a description.
const gyms = defineSchema([
  {
    name: "style",
    type: "string",
    description: "main style",
    values: [{ value: "bouldering", synonyms: ["boulder"] }, "lead", "top_rope"],
  },
  {
    name: "district",
    type: "string",
    description: "district, without a leading 'the', e.g. 'Kreuzberg', 'Mitte'",
  },
]);
const g = (r: string) => parse(r, gyms);

describe("exclusions and quoted words of a description", () => {
  it("keeps the exclusion when another word reads as the excluded value", () => {
    const out = g("anything but bouldering, my fingers hurt when I boulder");
    expect(out.filter).toEqual({ op: "ne", field: "style", value: "bouldering" });
    expect(out.warnings.join(" ")).toMatch(/both excluded and asked for/);
  });
  it("reads 'outside' before a value as an exclusion", () => {
    expect(g("gyms outside Kreuzberg").filter).toEqual({ op: "ne", field: "district", value: "Kreuzberg" });
  });
  it("never takes a quoted function word of a description as a value", () => {
    expect(g("gyms in the Mitte").filter).toEqual({ op: "eq", field: "district", value: "Mitte" });
  });
});
