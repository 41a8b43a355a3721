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
