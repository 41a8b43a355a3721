import { describe, expect, it } from "vitest";
import { defineSchema, parse } from "../src/index.js";

// An invented schema (language tutors) for lists typed in lower case, ages, initialisms and
// yes/no attributes described by contrast.
const schema = defineSchema([
  { name: "city", type: "string", description: "city of residence, e.g. 'Lisbon', 'Porto'" },
  { name: "age_years", type: "number", description: "age in years" },
  { name: "years_teaching", type: "number", integer: true, description: "years of teaching" },
  {
    name: "specialty",
    type: "string",
    description: "main kind of lessons",
    values: ["business_english", "exam_preparation", "conversation"],
  },
  { name: "native", type: "boolean", description: "a native speaker rather than a learner" },
  { name: "dbs_checked", type: "boolean", description: "passed a background check" },
  { name: "suits", type: "string[]", description: "learners taught: 'children', 'adults', 'teens'" },
]);
const now = () => new Date("2025-01-10T00:00:00Z");
const p = (r: string) => parse(r, schema, { now }).filter;

describe("rule parser: lists of free-text values", () => {
  it("joins lower-case words with 'and' after 'both', and never takes a pronoun as a name", () => {
    expect(p("tutors for both teens and seniors")).toEqual({
      op: "and",
      filters: [
        { op: "contains", field: "suits", value: "teens" },
        { op: "contains", field: "suits", value: "seniors" },
      ],
    });
    expect(p("tutors in lisbon, or anyone native")).toEqual({
      op: "or",
      filters: [
        { op: "eq", field: "city", value: "Lisbon" },
        { op: "eq", field: "native", value: true },
      ],
    });
  });
  it("keeps every item of a list typed in lower case, in proper-noun case", () => {
    expect(p("tutors in lisbon, coimbra or braga")).toEqual({
      op: "in",
      field: "city",
      value: ["Lisbon", "Coimbra", "Braga"],
    });
  });
});

describe("rule parser: lists that end at a condition, negations over 'at'", () => {
  it("does not take the word before another condition for an item of a lower-case list", () => {
    expect(p("in lisbon or already dbs checked")).toEqual({
      op: "or",
      filters: [
        { op: "eq", field: "city", value: "Lisbon" },
        { op: "eq", field: "dbs_checked", value: true },
      ],
    });
  });

  it("reaches a value over 'at'", () => {
    expect(p("teaching anything that isn't at exam preparation level")).toEqual({
      op: "ne",
      field: "specialty",
      value: "exam_preparation",
    });
  });
});

describe("rule parser: ages", () => {
  it("reads older than on an age as more years", () => {
    expect(p("older than 40")).toEqual({ op: "gt", field: "age_years", value: 40 });
    expect(p("30 years or older")).toEqual({ op: "gte", field: "age_years", value: 30 });
    expect(p("younger than 30")).toEqual({ op: "lt", field: "age_years", value: 30 });
  });

  it("does not take an attribute of years for a calendar year", () => {
    expect(p("between 3 and 7 years of teaching")).toEqual({
      op: "and",
      filters: [
        { op: "gte", field: "years_teaching", value: 3 },
        { op: "lte", field: "years_teaching", value: 7 },
      ],
    });
  });
});

describe("rule parser: words of values and yes/no attributes", () => {
  it("reads the initialism of a value of several words", () => {
    expect(p("an ep tutor")).toEqual({ op: "eq", field: "specialty", value: "exam_preparation" });
  });

  it("reads what a description sets against the attribute as false", () => {
    expect(p("a learner is fine")).toEqual({ op: "eq", field: "native", value: false });
    expect(p("not a learner")).toEqual({ op: "eq", field: "native", value: true });
  });

  it("reads a compound whose last part a prefix negates", () => {
    expect(p("dbs-unchecked tutors")).toEqual({ op: "eq", field: "dbs_checked", value: false });
  });

  it("never reads a pronoun as a value", () => {
    expect(p("suits my kids")).toBeNull();
  });
});

describe("rule parser: 'or' between unread words, ratings in stars", () => {
  const tutors = defineSchema([
    { name: "rating", type: "number", description: "average learner rating out of 5" },
    { name: "specialty", type: "string", description: "lessons", values: ["grammar", "conversation"] },
    { name: "remote", type: "boolean", description: "teaches online" },
  ]);
  const q = (r: string) => parse(r, tutors, { now }).filter;

  it("does not join two conditions by an 'or' between words no pass read", () => {
    expect(q("grammar tutors in porto or braga who teach remote")).toEqual({
      op: "and",
      filters: [
        { op: "eq", field: "specialty", value: "grammar" },
        { op: "eq", field: "remote", value: true },
      ],
    });
  });

  it("counts a five-point rating in stars", () => {
    expect(q("4.5 stars or higher")).toEqual({ op: "gte", field: "rating", value: 4.5 });
  });
});
