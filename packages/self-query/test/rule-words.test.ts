import { describe, expect, it } from "vitest";
import { defineSchema, parse } from "../src/index.js";

// An invented hotel schema: yes/no attributes described in words.
const hotels = defineSchema([
  { name: "kind", type: "string", description: "kind of stay", values: ["hostel", "resort", "lodge"] },
  { name: "smoking_permitted", type: "boolean", description: "smoking is permitted in the rooms" },
  { name: "cancellable", type: "boolean", description: "the booking can be cancelled for free" },
  { name: "halal", type: "boolean", description: "kitchen serves no pork or alcohol" },
  { name: "wifi", type: "boolean", description: "wireless internet is reachable in every room" },
]);
const h = (r: string) => parse(r, hotels).filter;

describe("rule parser: yes/no attributes from their words", () => {
  it("reads the name's words in other forms, with affirming words and inner negation", () => {
    expect(h("smoking-friendly lodges")).toEqual({
      op: "and",
      filters: [
        { op: "eq", field: "smoking_permitted", value: true },
        { op: "eq", field: "kind", value: "lodge" },
      ],
    });
    expect(h("resorts that permit smoking")).toEqual({
      op: "and",
      filters: [
        { op: "eq", field: "kind", value: "resort" },
        { op: "eq", field: "smoking_permitted", value: true },
      ],
    });
    expect(h("non-smoking hostels")).toEqual({
      op: "and",
      filters: [
        { op: "eq", field: "smoking_permitted", value: false },
        { op: "eq", field: "kind", value: "hostel" },
      ],
    });
    expect(h("hostels where smoking is not permitted")).toEqual({
      op: "and",
      filters: [
        { op: "eq", field: "kind", value: "hostel" },
        { op: "eq", field: "smoking_permitted", value: false },
      ],
    });
  });

  it("reads description adjectives, negations before them and '<absent thing>-free'", () => {
    expect(h("bookings that can be cancelled")).toEqual({ op: "eq", field: "cancellable", value: true });
    expect(h("no cancellations")).toEqual({ op: "eq", field: "cancellable", value: false });
    expect(h("pork-free resorts")).toEqual({
      op: "and",
      filters: [
        { op: "eq", field: "halal", value: true },
        { op: "eq", field: "kind", value: "resort" },
      ],
    });
    expect(h("rooms where internet is reachable")).toEqual({ op: "eq", field: "wifi", value: true });
    expect(h("lodges with no alcohol")).toEqual({
      op: "and",
      filters: [
        { op: "eq", field: "kind", value: "lodge" },
        { op: "eq", field: "halal", value: true },
      ],
    });
  });

  it("needs the noun beside a participle of the name, and a cue before a bare noun form", () => {
    expect(h("permit me to find a lodge")).toEqual({ op: "eq", field: "kind", value: "lodge" });
    expect(h("cancellation policy of resorts")).toEqual({ op: "eq", field: "kind", value: "resort" });
    expect(h("resorts with free cancellation")).toEqual({
      op: "and",
      filters: [
        { op: "eq", field: "kind", value: "resort" },
        { op: "eq", field: "cancellable", value: true },
      ],
    });
  });

  it("reads derived nouns of enumerated values", () => {
    expect(
      parse(
        "rentals in Porto",
        defineSchema([
          { name: "offer", type: "string", description: "offer type", values: ["rent", "sale"] },
        ]),
      ).filter,
    ).toEqual({ op: "eq", field: "offer", value: "rent" });
  });
});

// An invented boat-rental schema: amounts, durations and counts described in words.
const boats = defineSchema([
  { name: "trip_minutes", type: "number", description: "length of the trip, in minutes" },
  { name: "price", type: "number", description: "price of the charter", synonyms: ["$"] },
  { name: "berths", type: "number", description: "number of sleepers on board" },
  { name: "length", type: "number", description: "hull length in metres" },
  { name: "launched", type: "number", description: "launch year", year: true },
  { name: "bookable", type: "date", description: "first bookable day" },
]);
const now = () => new Date("2025-01-10T00:00:00Z");
const b = (r: string) => parse(r, boats, { now }).filter;

describe("rule parser: amounts and counts", () => {
  it("reads compound and fractional durations", () => {
    expect(b("trips of two hours and a half or less")).toEqual({
      op: "lte",
      field: "trip_minutes",
      value: 150,
    });
    expect(b("trips under 3 hours 15 minutes")).toEqual({ op: "lt", field: "trip_minutes", value: 195 });
    expect(b("trips within half an hour")).toEqual({ op: "lte", field: "trip_minutes", value: 30 });
  });

  it("reads scale words after digits and counted units from descriptions", () => {
    expect(b("charters under 2.5 million")).toEqual({ op: "lt", field: "price", value: 2_500_000 });
    expect(b("boats with at least 6 sleepers")).toEqual({ op: "gte", field: "berths", value: 6 });
    expect(b("boats over 12 metres")).toEqual({ op: "gt", field: "length", value: 12 });
  });

  it("gives a decade to the year attribute and reads 'on or after'", () => {
    expect(b("boats from the nineteen-eighties")).toEqual({
      op: "and",
      filters: [
        { op: "gte", field: "launched", value: 1980 },
        { op: "lte", field: "launched", value: 1989 },
      ],
    });
    expect(b("boats from the seventies or eighties")).toEqual({
      op: "and",
      filters: [
        { op: "gte", field: "launched", value: 1970 },
        { op: "lte", field: "launched", value: 1989 },
      ],
    });
    expect(b("bookable in 2026 or 2027")).toEqual({
      op: "and",
      filters: [
        { op: "gte", field: "bookable", value: Date.UTC(2026, 0, 1) },
        { op: "lt", field: "bookable", value: Date.UTC(2028, 0, 1) },
      ],
    });
    expect(b("bookable on or after 3 March 2025")).toEqual({
      op: "gte",
      field: "bookable",
      value: Date.UTC(2025, 2, 3),
    });
  });
});

// An invented bike-shop schema: model names and firmware versions quoted in descriptions.
const bikes = defineSchema([
  { name: "kind", type: "string", description: "product kind", values: ["lock", "light", "rack"] },
  { name: "maker", type: "string", description: "manufacturer", values: ["trek", "giant"] },
  {
    name: "fits",
    type: "string[]",
    description: "bikes it fits, written like 'Trek Domane 5', 'Brompton C2'",
  },
  { name: "model", type: "string", description: "model name, e.g. 'Ion 800', 'Hemera 2'" },
  { name: "firmware", type: "string", description: "firmware version, e.g. '2.1'" },
  { name: "transfers", type: "number", description: "number of changes on the delivery route" },
]);
const k = (r: string) => parse(r, bikes).filter;

describe("rule parser: shaped values and zero counts", () => {
  it("reads versions and model names by the shape of the described examples", () => {
    expect(k("locks on v3.4")).toEqual({
      op: "and",
      filters: [
        { op: "eq", field: "kind", value: "lock" },
        { op: "eq", field: "firmware", value: "3.4" },
      ],
    });
    expect(k("Brompton P Line 4 racks")).toEqual({
      op: "and",
      filters: [
        { op: "contains", field: "fits", value: "Brompton P Line 4" },
        { op: "eq", field: "kind", value: "rack" },
      ],
    });
    expect(k("giant Hemera 3 locks")).toEqual({
      op: "and",
      filters: [
        { op: "eq", field: "maker", value: "giant" },
        { op: "eq", field: "model", value: "Hemera 3" },
        { op: "eq", field: "kind", value: "lock" },
      ],
    });
  });

  it("negates a model after don't and reads zero counts", () => {
    expect(k("locks that don't fit the Trek Domane 4")).toEqual({
      op: "and",
      filters: [
        { op: "eq", field: "kind", value: "lock" },
        { op: "not", filter: { op: "contains", field: "fits", value: "Trek Domane 4" } },
      ],
    });
    expect(k("racks shipped with no changes")).toEqual({
      op: "and",
      filters: [
        { op: "eq", field: "kind", value: "rack" },
        { op: "eq", field: "transfers", value: 0 },
      ],
    });
    expect(k("nonchange racks")).toEqual({
      op: "and",
      filters: [
        { op: "eq", field: "transfers", value: 0 },
        { op: "eq", field: "kind", value: "rack" },
      ],
    });
  });
});

describe("rule parser: heads of values, names without cues, people", () => {
  const events = defineSchema([
    {
      name: "format",
      type: "string",
      description: "event format",
      values: ["panel_discussion", "keynote", "workshop"],
      // a synonym's first word ("fireside") never stands for the value
    },
    { name: "host", type: "string", description: "full name of the host" },
    { name: "attendance", type: "number", description: "number of attendees" },
    {
      name: "track",
      type: "string",
      description: "track",
      values: [{ value: "ai", synonyms: ["applied intelligence"] }],
    },
  ]);
  const e = (r: string) => parse(r, events).filter;

  it("reads the first word of a value of several words", () => {
    expect(e("panels this spring")).toEqual({ op: "eq", field: "format", value: "panel_discussion" });
    expect(e("applied talks")).toBeNull();
  });

  it("reads possessive names and names before a past-tense verb", () => {
    expect(e("Maria Ortiz's workshops")).toEqual({
      op: "and",
      filters: [
        { op: "eq", field: "host", value: "Maria Ortiz" },
        { op: "eq", field: "format", value: "workshop" },
      ],
    });
    expect(e("everything Jon Park hosted")).toEqual({ op: "eq", field: "host", value: "Jon Park" });
    // an adjective in -ed before a noun is not a verb
    expect(e("Machine Learning related workshops")).toEqual({ op: "eq", field: "format", value: "workshop" });
  });

  it("counts people with the attribute that counts persons", () => {
    expect(e("keynotes with more than 200 people")).toEqual({
      op: "and",
      filters: [
        { op: "eq", field: "format", value: "keynote" },
        { op: "gt", field: "attendance", value: 200 },
      ],
    });
  });
});

describe("nouns of sex for a female / male attribute", () => {
  // invented schemas (a cattery, a clothes shop)
  const cats = defineSchema([
    { name: "sex", type: "string", description: "sex of the cat", values: ["female", "male"] },
    { name: "breed", type: "string", description: "breed", values: ["siamese", "persian"] },
  ]);
  const clothes = defineSchema([
    { name: "department", type: "string", description: "shop department", values: ["women", "men", "kids"] },
  ]);
  it("reads girls, ladies, boys and gents as the values they name", () => {
    expect(parse("siamese girls", cats).filter).toEqual({
      op: "and",
      filters: [
        { op: "eq", field: "breed", value: "siamese" },
        { op: "eq", field: "sex", value: "female" },
      ],
    });
    expect(parse("any boys?", cats).filter).toEqual({ op: "eq", field: "sex", value: "male" });
    expect(parse("ladies jackets", clothes).filter).toEqual({
      op: "eq",
      field: "department",
      value: "women",
    });
    expect(parse("jackets for gents", clothes).filter).toEqual({
      op: "eq",
      field: "department",
      value: "men",
    });
    expect(parse("she wants a persian", cats).filter).toEqual({ op: "eq", field: "breed", value: "persian" });
  });
});
