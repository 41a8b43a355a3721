import { describe, expect, it } from "vitest";
import { defineSchema, parse } from "../src/index.js";

// An invented schema (a course catalogue) exercising the general mechanisms of the rule parser.
const schema = defineSchema([
  {
    name: "subject",
    type: "string",
    description: "subject taught",
    values: ["chemistry", "history", "drawing", "physics"],
  },
  { name: "level", type: "string", description: "course level", values: ["beginner", "advanced"] },
  { name: "certified", type: "boolean", description: "the course ends with a certificate" },
  { name: "fee", type: "number", description: "course fee", synonyms: ["price"] },
  { name: "starts", type: "date", description: "first lesson" },
  { name: "teacher", type: "string", description: "full name of the person who teaches it" },
  { name: "skills", type: "string[]", description: "skills taught, e.g. 'sketching', 'titration'" },
  { name: "campus", type: "string", description: "city of the campus, e.g. 'Porto'" },
  { name: "week", type: "number", description: "week of the term", minimum: 1, maximum: 12 },
]);
const now = () => new Date("2025-01-10T00:00:00Z");
const p = (r: string) => parse(r, schema, { now }).filter;

describe("rule parser: scope of or", () => {
  it("binds or to the conditions on either side of it", () => {
    expect(p("chemistry courses that are either advanced or certified")).toEqual({
      op: "and",
      filters: [
        { op: "eq", field: "subject", value: "chemistry" },
        {
          op: "or",
          filters: [
            { op: "eq", field: "level", value: "advanced" },
            { op: "eq", field: "certified", value: true },
          ],
        },
      ],
    });
  });

  it("keeps parallel phrases whole and widens or before 'anything'", () => {
    expect(p("beginner chemistry or beginner physics")).toEqual({
      op: "or",
      filters: [
        {
          op: "and",
          filters: [
            { op: "eq", field: "level", value: "beginner" },
            { op: "eq", field: "subject", value: "chemistry" },
          ],
        },
        {
          op: "and",
          filters: [
            { op: "eq", field: "level", value: "beginner" },
            { op: "eq", field: "subject", value: "physics" },
          ],
        },
      ],
    });
    expect(p("advanced history courses or anything certified")).toEqual({
      op: "or",
      filters: [
        {
          op: "and",
          filters: [
            { op: "eq", field: "level", value: "advanced" },
            { op: "eq", field: "subject", value: "history" },
          ],
        },
        { op: "eq", field: "certified", value: true },
      ],
    });
  });
});

describe("rule parser: doubtful alternatives", () => {
  it("gives no filter when one side of an or is unread, keeping the request as the query", () => {
    const out = parse("chemistry or pottery courses", schema, { now });
    expect(out.filter).toBeNull();
    expect(out.query).toBe("chemistry or pottery courses");
    expect(p("history or Latin courses")).toBeNull();
    // a word leading into a condition belongs to that alternative
    expect(p("advanced courses or ones that start before 2024")).toEqual({
      op: "or",
      filters: [
        { op: "eq", field: "level", value: "advanced" },
        { op: "lt", field: "starts", value: Date.UTC(2024, 0, 1) },
      ],
    });
    expect(p("chemistry or physics courses")).toEqual({
      op: "in",
      field: "subject",
      value: ["chemistry", "physics"],
    });
  });
});

describe("rule parser: negation", () => {
  it("reads a negated yes/no value as the other value", () => {
    expect(p("courses that weren't certified")).toEqual({ op: "eq", field: "certified", value: false });
    expect(p("non-certified drawing classes")).toEqual({
      op: "and",
      filters: [
        { op: "eq", field: "certified", value: false },
        { op: "eq", field: "subject", value: "drawing" },
      ],
    });
  });

  it("reaches over one participle or auxiliary, and reads 'outside of' and 'nothing'", () => {
    expect(p("classes not taught by Ines Duarte")).toEqual({
      op: "ne",
      field: "teacher",
      value: "Ines Duarte",
    });
    expect(p("courses that never got certified")).toEqual({ op: "eq", field: "certified", value: false });
    expect(p("courses outside of history")).toEqual({ op: "ne", field: "subject", value: "history" });
    expect(p("evening courses, nothing advanced")).toEqual({ op: "ne", field: "level", value: "advanced" });
  });
});

describe("rule parser: amounts", () => {
  it("reads a year-like number after a non-date comparative as an amount", () => {
    expect(p("courses under 1900")).toEqual({ op: "lt", field: "fee", value: 1900 });
    expect(p("courses starting before 2024")).toEqual({
      op: "lt",
      field: "starts",
      value: Date.UTC(2024, 0, 1),
    });
  });
});

// An invented freight schema: a start and an end quoted as codes in their descriptions.
const freight = defineSchema([
  { name: "origin", type: "string", description: "UN/LOCODE of the port of departure, e.g. 'NLRTM'" },
  { name: "destination", type: "string", description: "UN/LOCODE of the arrival port, e.g. 'SGSIN'" },
  { name: "mode", type: "string", description: "transport mode", values: ["sea", "air", "rail"] },
]);

describe("rule parser: places and lists", () => {
  it("reads a start, an end and a place from their cues, the cue winning over quoted examples", () => {
    expect(parse("sea freight from SGSIN to CNSHA", freight).filter).toEqual({
      op: "and",
      filters: [
        { op: "eq", field: "mode", value: "sea" },
        { op: "eq", field: "origin", value: "SGSIN" },
        { op: "eq", field: "destination", value: "CNSHA" },
      ],
    });
    expect(p("drawing courses in Coimbra")).toEqual({
      op: "and",
      filters: [
        { op: "eq", field: "subject", value: "drawing" },
        { op: "eq", field: "campus", value: "Coimbra" },
      ],
    });
  });

  it("keeps every value of a list after a cue", () => {
    expect(parse("shipments out of NLRTM into DEHAM, BEANR or FRLEH", freight).filter).toEqual({
      op: "and",
      filters: [
        { op: "eq", field: "origin", value: "NLRTM" },
        { op: "in", field: "destination", value: ["DEHAM", "BEANR", "FRLEH"] },
      ],
    });
    expect(p("courses taught by Ines Duarte or Rui Matos")).toEqual({
      op: "in",
      field: "teacher",
      value: ["Ines Duarte", "Rui Matos"],
    });
    expect(p("courses teaching sketching or calligraphy")).toEqual({
      op: "or",
      filters: [
        { op: "contains", field: "skills", value: "sketching" },
        { op: "contains", field: "skills", value: "calligraphy" },
      ],
    });
    expect(p("lessons in week 3 or 4")).toEqual({
      op: "or",
      filters: [
        { op: "eq", field: "week", value: 3 },
        { op: "eq", field: "week", value: 4 },
      ],
    });
  });

  it("does not read a known value of another attribute, a month or a language as a place", () => {
    expect(p("courses in Chemistry")).toEqual({ op: "eq", field: "subject", value: "chemistry" });
    // "March" after "in" is the month, on the one date attribute
    expect(JSON.stringify(p("lectures in March"))).not.toContain("campus");
    expect(JSON.stringify(p("lectures in March"))).toContain('"field":"starts"');
    expect(p("lectures in English")).toBeNull();
  });

  it("leaves a comma that closes no list alone", () => {
    expect(p("courses in Porto, cheap ones")).toEqual({ op: "eq", field: "campus", value: "Porto" });
  });
});

describe("rule parser: coming dates", () => {
  // 2025-01-10 is a Friday
  it("reads tomorrow, next <unit>, this weekend and a month range whose year comes last", () => {
    expect(p("courses that start tomorrow")).toEqual({
      op: "and",
      filters: [
        { op: "gte", field: "starts", value: Date.UTC(2025, 0, 11) },
        { op: "lt", field: "starts", value: Date.UTC(2025, 0, 12) },
      ],
    });
    expect(p("courses that start next month")).toEqual({
      op: "and",
      filters: [
        { op: "gte", field: "starts", value: Date.UTC(2025, 1, 1) },
        { op: "lt", field: "starts", value: Date.UTC(2025, 2, 1) },
      ],
    });
    expect(p("courses that start this weekend")).toEqual({
      op: "and",
      filters: [
        { op: "gte", field: "starts", value: Date.UTC(2025, 0, 11) },
        { op: "lt", field: "starts", value: Date.UTC(2025, 0, 13) },
      ],
    });
    expect(p("courses that start between October and December 2025")).toEqual({
      op: "and",
      filters: [
        { op: "gte", field: "starts", value: Date.UTC(2025, 9, 1) },
        { op: "lt", field: "starts", value: Date.UTC(2026, 0, 1) },
      ],
    });
  });
});

describe("rule parser: typos, described cues and excluded list items", () => {
  it("tolerates typos against the unstemmed value, a swap in four letters, and a misspelt cue", () => {
    expect(p("histroy corses")).toEqual({ op: "eq", field: "subject", value: "history" });
    expect(p("physic course")).toEqual({ op: "eq", field: "subject", value: "physics" });
    const stays = defineSchema([
      { name: "kind", type: "string", description: "kind of stay", values: ["hostel", "lodge"] },
    ]);
    expect(parse("lodegs", stays).filter).toEqual({ op: "eq", field: "kind", value: "lodge" });
    expect(p("lessons in wekk 3")).toBeNull();
    expect(p("lessons in weeek 3")).toEqual({ op: "eq", field: "week", value: 3 });
  });

  it("reads a participle before the attribute's noun in its description as a cue", () => {
    const s = defineSchema([
      { name: "tools", type: "string[]", description: "provided tools, lowercase" },
      { name: "level", type: "string", description: "level", values: ["easy", "hard"] },
    ]);
    expect(parse("easy kits not providing pliers", s).filter).toEqual({
      op: "and",
      filters: [
        { op: "eq", field: "level", value: "easy" },
        { op: "not", filter: { op: "contains", field: "tools", value: "pliers" } },
      ],
    });
  });

  it("reads every participle of a free list's description as its cue", () => {
    const s = defineSchema([
      { name: "dishes", type: "string[]", description: "dishes cooked during the class, lowercase" },
      { name: "teacher", type: "string", description: "full name of the teacher" },
    ]);
    expect(parse("classes taught by Rui Matos or that cook paella", s).filter).toEqual({
      op: "or",
      filters: [
        { op: "eq", field: "teacher", value: "Rui Matos" },
        { op: "contains", field: "dishes", value: "paella" },
      ],
    });
  });

  it("reads an excluded item of a list", () => {
    expect(p("courses teaching sketching but not titration")).toEqual({
      op: "and",
      filters: [
        { op: "contains", field: "skills", value: "sketching" },
        { op: "not", filter: { op: "contains", field: "skills", value: "titration" } },
      ],
    });
  });
});
