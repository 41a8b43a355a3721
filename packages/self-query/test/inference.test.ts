import { describe, expect, it } from "vitest";
import { defineSchema, parse } from "../src/index.js";

const now = () => new Date("2026-06-15T12:00:00Z");

describe("word knowledge inferred from the schema", () => {
  it("converts hours to a duration stored in minutes, named by the attribute or its description", () => {
    const schema = defineSchema([
      { name: "total_minutes", type: "number", description: "total preparation and cooking time" },
      { name: "duration", type: "number", description: "flight duration in minutes" },
    ]);
    expect(parse("recipes taking more than 3 hours total", schema, { now }).filter).toEqual({
      op: "gt",
      field: "total_minutes",
      value: 180,
    });
    const flights = defineSchema([
      { name: "duration", type: "number", description: "flight duration in minutes" },
      { name: "price", type: "number", description: "ticket price", units: { usd: 1 } },
    ]);
    expect(parse("flights longer than 12h", flights, { now }).filter).toEqual({
      op: "gt",
      field: "duration",
      value: 720,
    });
  });
});
