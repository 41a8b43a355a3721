import { describe, expect, it } from "vitest";
import { defineSchema, parse } from "../src/index.js";

// An invented schema (a theatre listings guide) with a scalar and a list attribute of people.
const plays = defineSchema([
  { name: "title", type: "string", description: "title of the production" },
  { name: "director", type: "string", description: "full name of the director" },
  { name: "cast", type: "string[]", description: "full names of the main cast" },
  { name: "choreographer", type: "string", description: "full name of the choreographer" },
  { name: "venue", type: "string", description: "theatre, e.g. 'Old Vic'" },
]);
const p = (r: string) => parse(r, plays).filter;

describe("people after role cues", () => {
  it("reads 'starring' as the cast, not the other people attribute", () => {
    expect(p("plays starring Maggie Smith")).toEqual({
      op: "contains",
      field: "cast",
      value: "Maggie Smith",
    });
  });
  it("reads a lower-case name after a verb naming its attribute, in proper-noun case", () => {
    expect(p("anything choreographed by akram khan")).toEqual({
      op: "eq",
      field: "choreographer",
      value: "Akram Khan",
    });
    expect(p("directed by the book")).toBeNull();
  });
  it("reads full names after 'with' and 'without' as members of the people list", () => {
    expect(p("plays with both Ian McKellen and Patrick Stewart")).toEqual({
      op: "and",
      filters: [
        { op: "contains", field: "cast", value: "Ian McKellen" },
        { op: "contains", field: "cast", value: "Patrick Stewart" },
      ],
    });
    expect(p("anything without Judi Dench")).toEqual({
      op: "not",
      filter: { op: "contains", field: "cast", value: "Judi Dench" },
    });
    expect(p("plays with a twist")).toBeNull();
  });
});

// An invented schema (a podcast directory) for yes/no attributes named by compounds.
const podcasts = defineSchema([
  { name: "has_in_show_sponsors", type: "boolean", description: "episodes carry sponsor reads" },
  { name: "contains_ads", type: "boolean", description: "the feed inserts advertising" },
  { name: "explicit", type: "boolean", description: "explicit content (false = clean)" },
  { name: "topic", type: "string", description: "main topic", values: ["history", "science", "comedy"] },
]);
const pc = (r: string) => parse(r, podcasts).filter;

describe("yes/no attributes named by compounds and descriptions", () => {
  it("reads '<noun>-free' as false for the attribute the noun names", () => {
    expect(pc("ad-free science shows")).toEqual({
      op: "and",
      filters: [
        { op: "eq", field: "contains_ads", value: false },
        { op: "eq", field: "topic", value: "science" },
      ],
    });
  });
  it("does not read a modifier of a compound name alone ('show' of has_in_show_sponsors)", () => {
    expect(pc("a good history show")).toEqual({ op: "eq", field: "topic", value: "history" });
  });
  it("reads the words a description gives a value to with '='", () => {
    expect(pc("clean comedy")).toEqual({
      op: "and",
      filters: [
        { op: "eq", field: "explicit", value: false },
        { op: "eq", field: "topic", value: "comedy" },
      ],
    });
  });
});
