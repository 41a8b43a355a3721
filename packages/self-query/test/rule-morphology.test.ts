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

// An invented schema (a bike rental) for units inferred from attribute names.
const bikes = defineSchema([
  { name: "kind", type: "string", description: "kind of bike", values: ["road", "cargo", "tandem"] },
  { name: "range_km", type: "number", description: "range on one charge" },
  { name: "deposit", type: "number", description: "deposit asked", synonyms: ["price"] },
  { name: "year_built", type: "number", description: "year the bike was built" },
  { name: "mechanics", type: "string[]", description: "full names of the mechanics who serviced it" },
  { name: "owner", type: "string", description: "full name of the owner" },
]);
const b = (r: string) => parse(r, bikes, { now: new Date("2025-03-01T00:00:00Z") }).filter;

describe("units from attribute names and descriptions", () => {
  it("converts metres, kilometres and miles to the stored unit", () => {
    expect(b("cargo bikes with a range over 40000 m")).toEqual({
      op: "and",
      filters: [
        { op: "eq", field: "kind", value: "cargo" },
        { op: "gt", field: "range_km", value: 40 },
      ],
    });
    expect(b("range of at least 10 miles")).toEqual({ op: "gte", field: "range_km", value: 16.09 });
  });
  it("reads 'grand' as thousands of money, never an adjective", () => {
    expect(b("a deposit under 2 grand")).toEqual({ op: "lt", field: "deposit", value: 2000 });
    expect(b("tandems for less than a grand")).toEqual({
      op: "and",
      filters: [
        { op: "eq", field: "kind", value: "tandem" },
        { op: "lt", field: "deposit", value: 1000 },
      ],
    });
    expect(b("the grand tour on a road bike")).toEqual({ op: "eq", field: "kind", value: "road" });
    expect(b("cargo bikes 2k or less")).toEqual({
      op: "and",
      filters: [
        { op: "eq", field: "kind", value: "cargo" },
        { op: "lte", field: "deposit", value: 2000 },
      ],
    });
  });
});

describe("names after role cues", () => {
  it("makes an array of people's names a membership, one per name", () => {
    expect(b("serviced by Lena Ortiz and Kofi Mensah")).toEqual({
      op: "and",
      filters: [
        { op: "contains", field: "mechanics", value: "Lena Ortiz" },
        { op: "contains", field: "mechanics", value: "Kofi Mensah" },
      ],
    });
  });
  it("leaves a title and its full stop out of the name", () => {
    expect(p("ferns tested by Prof. Ana Silva")).toEqual({
      op: "and",
      filters: [
        { op: "eq", field: "plant", value: "fern" },
        { op: "contains", field: "gardeners", value: "Ana Silva" },
      ],
    });
  });
});

describe("adjoining decades joined by and", () => {
  it("is one span, not a conjunction that selects nothing", () => {
    expect(b("bikes built in the thirties and forties")).toEqual({
      op: "and",
      filters: [
        { op: "gte", field: "year_built", value: 1930 },
        { op: "lte", field: "year_built", value: 1949 },
      ],
    });
  });
});

// An invented schema (a podcast directory) for ordinals and yes/no forms.
const pods = defineSchema([
  { name: "season", type: "number", description: "season number", minimum: 1 },
  { name: "first_air_year", type: "number", description: "year of the first episode" },
  { name: "explicit", type: "boolean", description: "contains explicit language" },
  { name: "outdoor_recording", type: "boolean", description: "recorded outdoors" },
  { name: "verified", type: "boolean", description: "the host is verified (false for anonymous shows)" },
  { name: "topic", type: "string", description: "main topic", values: ["science", "comedy"] },
]);
const q = (r: string) => parse(r, pods, { now: new Date("2025-03-01T00:00:00Z") }).filter;

describe("ordinals before a number attribute's word", () => {
  it("reads the ordinal as the value, with a postfix comparative", () => {
    expect(q("second season")).toEqual({ op: "eq", field: "season", value: 2 });
    expect(q("comedy from the 4th season or later")).toEqual({
      op: "and",
      filters: [
        { op: "eq", field: "topic", value: "comedy" },
        { op: "gte", field: "season", value: 4 },
      ],
    });
  });
  it("ignores an ordinal that is a word of the attribute's name", () => {
    expect(q("the first air year after 2010")).not.toEqual(
      expect.objectContaining({ field: "first_air_year", op: "eq", value: 1 }),
    );
  });
});

describe("yes/no forms", () => {
  it("negates a name word by a glued prefix", () => {
    expect(q("unverified science shows")).toEqual({
      op: "and",
      filters: [
        { op: "eq", field: "verified", value: false },
        { op: "eq", field: "topic", value: "science" },
      ],
    });
    expect(q("indoor recordings")).toEqual({ op: "eq", field: "outdoor_recording", value: false });
  });
  it("gives a value to the words the description assigns it", () => {
    expect(q("anonymous comedy")).toEqual({
      op: "and",
      filters: [
        { op: "eq", field: "verified", value: false },
        { op: "eq", field: "topic", value: "comedy" },
      ],
    });
  });
  it("reads negations typed without the apostrophe", () => {
    expect(q("shows that arent explicit")).toEqual({ op: "eq", field: "explicit", value: false });
  });
});

describe("how-to questions", () => {
  it("gets no filter for when/where/how early/what time questions that name values", () => {
    expect(q("what time do comedy podcasts usually air")).toBeNull();
    expect(q("how early should a science show publish")).toBeNull();
    expect(q("when do second seasons usually start")).toBeNull();
  });
});

describe("plurals of short forms, which a stemmer leaves alone", () => {
  // an invented schema (a hire company's fleet) with short forms as values and synonyms
  const fleet = defineSchema([
    {
      name: "body",
      type: "string",
      description: "body style",
      values: [
        "suv",
        "van",
        { value: "motorhome", synonyms: ["rv"] },
        { value: "bed_and_breakfast", synonyms: ["b&b"] },
      ],
    },
  ]);
  it("reads 'suvs', 'RVs' and 'b&bs' as their short form", () => {
    expect(parse("suvs", fleet).filter).toEqual({ op: "eq", field: "body", value: "suv" });
    expect(parse("RVs or vans", fleet).filter).toEqual({
      op: "in",
      field: "body",
      value: ["motorhome", "van"],
    });
    expect(parse("b&bs", fleet).filter).toEqual({ op: "eq", field: "body", value: "bed_and_breakfast" });
  });
});

describe("yes/no attributes negated by a contrasting prefix", () => {
  // an invented schema (tour guides) with "multi" and "out" names
  const guides = defineSchema([
    { name: "multilingual", type: "boolean", description: "leads tours in several languages" },
    { name: "outdoor", type: "boolean", description: "the tour is mostly outside" },
  ]);
  it("reads 'single' / 'mono' against 'multi' and 'in' against 'out'", () => {
    expect(parse("monolingual guides", guides).filter).toEqual({
      op: "eq",
      field: "multilingual",
      value: false,
    });
    expect(parse("single lingual guides", guides).filter).toEqual({
      op: "eq",
      field: "multilingual",
      value: false,
    });
    expect(parse("single-lingual guides", guides).filter).toEqual({
      op: "eq",
      field: "multilingual",
      value: false,
    });
    expect(parse("indoor tours", guides).filter).toEqual({ op: "eq", field: "outdoor", value: false });
  });
});

describe("closed compounds read by their head", () => {
  // an invented schema (a studio's contractors and their cars)
  const studio = defineSchema([
    { name: "role", type: "string", description: "main trade", values: ["writer", "translator", "engineer"] },
    { name: "make", type: "string", description: "car make", values: ["volkswagen", "toyota"] },
    { name: "body", type: "string", description: "car body", values: ["wagon", "coupe"] },
  ]);
  it("reads a compound ending in a value as that value, after any typo reading", () => {
    expect(parse("a copywriter", studio).filter).toEqual({ op: "eq", field: "role", value: "writer" });
    expect(parse("songwriters", studio).filter).toEqual({ op: "eq", field: "role", value: "writer" });
    expect(parse("volkswagon", studio).filter).toEqual({ op: "eq", field: "make", value: "volkswagen" });
  });
});

describe("a hyphenated value with a word of its attribute's description", () => {
  const courses = defineSchema([
    {
      name: "tier",
      type: "string",
      description: "difficulty level of the course",
      values: ["entry", "mid", "expert"],
    },
  ]);
  it("reads 'mid-level' as the value 'mid'", () => {
    expect(parse("mid-level courses", courses).filter).toEqual({ op: "eq", field: "tier", value: "mid" });
  });
});
