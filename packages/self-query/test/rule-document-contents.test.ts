import { ValidationError } from "@ragloom/core";
import { describe, expect, it } from "vitest";
import { defineSchema, parse } from "../src/index.js";

// An invented schema (recorded lectures) whose records' noun is also a value of an attribute.
const attributes = [
  {
    name: "format",
    type: "string" as const,
    description: "session format",
    values: ["lecture", "seminar", "tutorial"],
  },
  { name: "audience", type: "string[]" as const, description: "suited to: 'students', 'lectures'" },
  { name: "subject", type: "string" as const, description: "subject", values: ["maths", "history"] },
];
const withContents = defineSchema({ attributes, documentContents: "recorded university lectures" });
const without = defineSchema({ attributes });
const now = () => new Date("2025-01-10T00:00:00Z");

describe("rule parser: documentContents", () => {
  it("keeps the records' noun as query text instead of a value", () => {
    const r = parse("maths lectures", withContents, { now });
    expect(r.filter).toEqual({ op: "eq", field: "subject", value: "maths" });
    expect(r.query).toContain("lectures");
    // without it, the same word is read as the enumerated value
    expect(parse("maths lectures", without, { now }).filter).toEqual({
      op: "and",
      filters: [
        { op: "eq", field: "subject", value: "maths" },
        { op: "eq", field: "format", value: "lecture" },
      ],
    });
  });

  it("still reads another value of the same attribute", () => {
    expect(parse("history seminars", withContents, { now }).filter).toEqual({
      op: "and",
      filters: [
        { op: "eq", field: "subject", value: "history" },
        { op: "eq", field: "format", value: "seminar" },
      ],
    });
  });

  it("is checked and kept by defineSchema", () => {
    expect(withContents.documentContents).toBe("recorded university lectures");
    expect(() => defineSchema({ attributes, documentContents: "x".repeat(501) })).toThrow(ValidationError);
    expect(() => defineSchema({ attributes, documentContents: 5 as unknown as string })).toThrow(
      ValidationError,
    );
  });
});
