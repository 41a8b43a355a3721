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

  it("reads the example values quoted in a free-text attribute's description, every one of a list", () => {
    const schema = defineSchema([
      { name: "tags", type: "string[]", description: "free-form tags such as 'spicy', 'quick', 'one-pot'" },
      { name: "compatible_with", type: "string[]", description: "device models, written like 'iPhone 15'" },
    ]);
    expect(parse("recipes tagged spicy and quick", schema, { now }).filter).toEqual({
      op: "and",
      filters: [
        { op: "contains", field: "tags", value: "spicy" },
        { op: "contains", field: "tags", value: "quick" },
      ],
    });
    expect(parse("cases for iphone 15", schema, { now }).filter).toEqual({
      op: "contains",
      field: "compatible_with",
      value: "iPhone 15",
    });
  });

  it("counts the last N days, weeks, months or years in whole days, whatever the time of day", () => {
    const schema = defineSchema([{ name: "posted", type: "date", description: "date the job was posted" }]);
    expect(parse("jobs posted in the last 30 days", schema, { now }).filter).toEqual({
      op: "gte",
      field: "posted",
      value: Date.UTC(2026, 4, 16),
    });
  });

  it("reads a name after a role cue into the free-text attribute that names the role, without a title", () => {
    const schema = defineSchema([
      { name: "assignee", type: "string", description: "full name of the agent the ticket is assigned to" },
      { name: "city", type: "string", description: "city of the office" },
      { name: "sponsor", type: "string", description: "organization sponsoring the trial" },
    ]);
    expect(parse("tickets assigned to Maria Gonzalez", schema, { now }).filter).toEqual({
      op: "eq",
      field: "assignee",
      value: "Maria Gonzalez",
    });
    expect(parse("trials sponsored by Pfizer", schema, { now }).filter).toEqual({
      op: "eq",
      field: "sponsor",
      value: "Pfizer",
    });
    const laws = defineSchema([
      { name: "opinion_author", type: "string", description: "judge who wrote it" },
    ]);
    expect(parse("written by Justice Sonia Sotomayor", laws, { now }).filter).toEqual({
      op: "eq",
      field: "opinion_author",
      value: "Sonia Sotomayor",
    });
  });

  it("reads the negated form of a yes/no attribute's name as false", () => {
    const schema = defineSchema([
      { name: "resolved", type: "boolean", description: "whether it was resolved" },
    ]);
    expect(parse("unresolved tickets", schema, { now }).filter).toEqual({
      op: "eq",
      field: "resolved",
      value: false,
    });
  });

  it("keeps a how-to or definitional question as query text, with no filter", () => {
    const schema = defineSchema([
      { name: "category", type: "string", description: "product category", values: ["keyboard", "laptop"] },
    ]);
    const out = parse("how do I clean a mechanical keyboard", schema, { now });
    expect(out.filter).toBeNull();
    expect(out.query).toBe("how do I clean a mechanical keyboard");
    expect(parse("mechanical keyboard", schema, { now }).filter).toEqual({
      op: "eq",
      field: "category",
      value: "keyboard",
    });
  });
});
