import { describe, expect, it } from "vitest";
import { defineSchema, parse } from "../src/index.js";

// An invented schema (a conference's call for talks): one past-event and one future-event date.
const schema = defineSchema([
  { name: "submitted_on", type: "date", description: "date the proposal was submitted" },
  { name: "decision_due", type: "date", description: "date the decision is due" },
  { name: "track", type: "string", description: "conference track", values: ["web", "data", "security"] },
]);
const now = () => new Date("2025-08-20T12:00:00Z");
const p = (r: string) => parse(r, schema, { now }).filter;
const day = (s: string) => Date.parse(`${s}T00:00:00Z`);

describe("rule parser: a month without a year", () => {
  it("is the most recent such month on a past-event attribute", () => {
    expect(p("submitted since October")).toEqual({
      op: "gte",
      field: "submitted_on",
      value: day("2024-10-01"),
    });
    expect(p("submitted in May")).toEqual({
      op: "and",
      filters: [
        { op: "gte", field: "submitted_on", value: day("2025-05-01") },
        { op: "lt", field: "submitted_on", value: day("2025-06-01") },
      ],
    });
  });

  it("is the next such month on a future-event attribute", () => {
    expect(p("decision due between February and March")).toEqual({
      op: "and",
      filters: [
        { op: "gte", field: "decision_due", value: day("2026-02-01") },
        { op: "lt", field: "decision_due", value: day("2026-04-01") },
      ],
    });
  });

  it("continues a list of months after 'or' on the same attribute (adjacent months merge)", () => {
    expect(p("decision due in september or october")).toEqual({
      op: "and",
      filters: [
        { op: "gte", field: "decision_due", value: day("2025-09-01") },
        { op: "lt", field: "decision_due", value: day("2025-11-01") },
      ],
    });
  });

  it("leaves the verbs may and march alone", () => {
    expect(p("data talks that may be recorded")).toEqual({ op: "eq", field: "track", value: "data" });
  });
});

describe("rule parser: a date attribute named by its description", () => {
  const members = defineSchema([
    { name: "available_from", type: "date", description: "first day the member can take on work" },
    { name: "member_since", type: "date", description: "date the member joined the network" },
  ]);
  it("picks the one date attribute whose description holds a word of the request", () => {
    expect(parse("members who joined before 2020", members, { now }).filter).toEqual({
      op: "lt",
      field: "member_since",
      value: day("2020-01-01"),
    });
  });
});
