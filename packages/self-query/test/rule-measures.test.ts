import { ValidationError } from "@ragloom/core";
import { describe, expect, it } from "vitest";
import { defineSchema, parse } from "../src/index.js";

// An invented schema (second-hand camping gear) exercising units, rates and yes/no words that the
// schema states only in names and descriptions.
const schema = defineSchema([
  { name: "weight_kg", type: "number", description: "packed weight" },
  { name: "height_cm", type: "number", integer: true, description: "pitched height" },
  { name: "display_in", type: "number", description: "display diagonal of the GPS unit" },
  { name: "rental_eur", type: "number", description: "rental price per week in EUR" },
  { name: "warranty_months", type: "number", integer: true, description: "warranty left" },
  { name: "solar", type: "boolean", description: "comes with a fold-out solar panel" },
  { name: "four_season", type: "boolean", description: "rated for winter use" },
  {
    name: "first_owner",
    type: "boolean",
    description: "sold by its first owner (false = resold or refurbished)",
  },
  { name: "brand", type: "string", description: "maker, e.g. 'Hilleberg', 'MSR'" },
]);
const now = () => new Date("2025-01-10T00:00:00Z");
const p = (r: string) => parse(r, schema, { now }).filter;

describe("rule parser: units of measure inferred from names", () => {
  it("converts pounds and ounces to a mass stored in kg", () => {
    expect(p("tents under 4 lbs")).toEqual({ op: "lt", field: "weight_kg", value: 1.81 });
    expect(p("at most 32 oz")).toEqual({ op: "lte", field: "weight_kg", value: 0.907 });
  });

  it("reads a trailing `_in` of a name as inches", () => {
    expect(p("a display smaller than 10 cm")).toEqual({ op: "lt", field: "display_in", value: 3.94 });
  });

  it("rounds a converted amount on an integer attribute", () => {
    expect(p("at least 4 feet high")).toEqual({ op: "gte", field: "height_cm", value: 122 });
    expect(p("warranty of at least two years")).toEqual({ op: "gte", field: "warranty_months", value: 24 });
  });

  it("keeps an amount in the stored unit as written", () => {
    expect(p("height_cm over 120")).toEqual({ op: "gt", field: "height_cm", value: 120 });
  });
});

describe("rule parser: comparative adjectives name a dimension", () => {
  it("sends lighter/heavier to the weight and taller to the height without a unit", () => {
    expect(p("lighter than 2")).toEqual({ op: "lt", field: "weight_kg", value: 2 });
    expect(p("heavier than 3 kg")).toEqual({ op: "gt", field: "weight_kg", value: 3 });
    expect(p("taller than 110")).toEqual({ op: "gt", field: "height_cm", value: 110 });
  });
});

describe("rule parser: amounts per period", () => {
  it("converts a daily or monthly amount to the period the attribute stores", () => {
    expect(p("rental under €20 a day")).toEqual({ op: "lt", field: "rental_eur", value: 140 });
    expect(p("no more than €30 per week")).toEqual({ op: "lte", field: "rental_eur", value: 30 });
  });
});

describe("rule parser: yes/no words from descriptions", () => {
  it("reads a compound of the description as the attribute", () => {
    expect(p("fold out solar")).toEqual({ op: "eq", field: "solar", value: true });
    expect(p("a fold-out panel, by MSR")).toEqual({
      op: "and",
      filters: [
        { op: "eq", field: "solar", value: true },
        { op: "eq", field: "brand", value: "MSR" },
      ],
    });
  });

  it("writes a number word of the name as a digit", () => {
    expect(p("4 season tents")).toEqual({ op: "eq", field: "four_season", value: true });
  });

  it("reads every alternative a description gives a value to", () => {
    expect(p("refurbished ones")).toEqual({ op: "eq", field: "first_owner", value: false });
    expect(p("not resold")).toEqual({ op: "eq", field: "first_owner", value: true });
  });
});

describe("schema: integer", () => {
  it("is only for number attributes", () => {
    expect(() => defineSchema([{ name: "x", type: "string", description: "x", integer: true }])).toThrow(
      ValidationError,
    );
  });
});

describe("rule parser: lists of amounts", () => {
  it("reads amounts before one unit as a list of values", () => {
    expect(p("2 or 3 kg")).toEqual({ op: "in", field: "weight_kg", value: [2, 3] });
    expect(p("4, 6 and 8 inch displays")).toEqual({ op: "in", field: "display_in", value: [4, 6, 8] });
  });

  it("converts every amount of the list like the last one", () => {
    expect(p("3 or 4 lbs")).toEqual({ op: "in", field: "weight_kg", value: [1.36, 1.81] });
  });
});

describe("a score 'on' the scale an attribute is named after", () => {
  // an invented schema (board games) with two scores and a price
  const boardGames = defineSchema([
    { name: "bgg_rating", type: "number", description: "BoardGameGeek average rating", synonyms: ["bgg"] },
    { name: "amazon_stars", type: "number", description: "Amazon review stars", synonyms: ["amazon"] },
    { name: "price", type: "number", description: "price in dollars", synonyms: ["$"] },
  ]);
  it("reads the attribute after 'on' instead of the default number", () => {
    expect(parse("games with at least 7.5 on BGG", boardGames).filter).toEqual({
      op: "gte",
      field: "bgg_rating",
      value: 7.5,
    });
    expect(parse("4+ on the amazon", boardGames).filter).toEqual({
      op: "gte",
      field: "amazon_stars",
      value: 4,
    });
  });
});

describe("weeks, fortnights and decades, and how often", () => {
  // an invented schema (garden chores and gardeners)
  const chores = defineSchema([
    { name: "interval_days", type: "number", description: "days between two rounds of the chore" },
    { name: "experience_years", type: "number", description: "years the gardener has worked" },
    { name: "length_minutes", type: "number", description: "how long one round takes, in minutes" },
  ]);
  it("converts weeks and fortnights to days and decades to years", () => {
    expect(parse("every 2 weeks", chores).filter).toEqual({ op: "eq", field: "interval_days", value: 14 });
    expect(parse("at least a decade of experience", chores).filter).toEqual({
      op: "gte",
      field: "experience_years",
      value: 10,
    });
    // a duration in minutes takes no weeks
    expect(parse("under 2 weeks", chores).filter).toEqual({ op: "lt", field: "interval_days", value: 14 });
  });
  it("reads 'once a fortnight or less' as a longer interval, 'once a week or more' as a shorter one", () => {
    expect(parse("once a fortnight or less", chores).filter).toEqual({
      op: "gte",
      field: "interval_days",
      value: 14,
    });
    expect(parse("once a week or more", chores).filter).toEqual({
      op: "lte",
      field: "interval_days",
      value: 7,
    });
  });
});

describe("a unit word of the attribute's name glued to the number", () => {
  const powerBanks = defineSchema([
    { name: "capacity_mah", type: "number", description: "battery capacity" },
    { name: "price", type: "number", description: "price in dollars", synonyms: ["$"] },
  ]);
  it("reads '20000mAh' as the attribute named in mAh, not the default number", () => {
    expect(parse("at least 20000mAh", powerBanks).filter).toEqual({
      op: "gte",
      field: "capacity_mah",
      value: 20000,
    });
  });
});
