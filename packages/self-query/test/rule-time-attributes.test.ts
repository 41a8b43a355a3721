import { describe, expect, it } from "vitest";
import { defineSchema, parse } from "../src/index.js";

// An invented schema (a theatre's productions) with several date attributes one word names.
const shows = defineSchema([
  { name: "venue", type: "string", description: "stage", values: ["main", "studio", "garden"] },
  { name: "first_performance", type: "date", description: "date of the opening night" },
  { name: "last_performance", type: "date", description: "date of the most recent performance" },
  { name: "rehearsal_start", type: "date", description: "day rehearsals begin (upcoming shows only)" },
]);
// today is Wednesday 2025-03-12
const now = new Date("2025-03-12T09:00:00Z");
const p = (r: string) => parse(r, shows, { now }).filter;
const day = (s: string) => Date.parse(`${s}T00:00:00Z`);

describe("a word naming several date attributes", () => {
  it("takes the one the word before it marks", () => {
    expect(p("shows whose last performance was before 2020")).toEqual({
      op: "lt",
      field: "last_performance",
      value: day("2020-01-01"),
    });
    expect(p("shows whose first performance was after 2020")).toEqual({
      op: "gte",
      field: "first_performance",
      value: day("2021-01-01"),
    });
  });
  it("reads an event since a date from the latest one and before a date from the earliest", () => {
    expect(p("a performance since January 2025")).toEqual({
      op: "gte",
      field: "last_performance",
      value: day("2025-01-01"),
    });
    expect(p("a performance in the past 10 days")).toEqual({
      op: "gte",
      field: "last_performance",
      value: day("2025-03-02"),
    });
    expect(p("a performance before 2001")).toEqual({
      op: "lt",
      field: "first_performance",
      value: day("2001-01-01"),
    });
  });
});

describe("a comparative word that names a date attribute", () => {
  it("is the attribute's word, so the period keeps its bounds", () => {
    expect(p("rehearsals start in April 2025")).toEqual({
      op: "and",
      filters: [
        { op: "gte", field: "rehearsal_start", value: day("2025-04-01") },
        { op: "lt", field: "rehearsal_start", value: day("2025-05-01") },
      ],
    });
    expect(p("rehearsal starting tomorrow")).toEqual({
      op: "and",
      filters: [
        { op: "gte", field: "rehearsal_start", value: day("2025-03-13") },
        { op: "lt", field: "rehearsal_start", value: day("2025-03-14") },
      ],
    });
  });
  it("still compares with 'from'", () => {
    expect(p("rehearsal starting from May 2025")).toEqual({
      op: "gte",
      field: "rehearsal_start",
      value: day("2025-05-01"),
    });
  });
});

describe("windows ahead", () => {
  it("reads 'the next N days' as today through the N-th day", () => {
    expect(p("rehearsals starting in the next 5 days")).toEqual({
      op: "and",
      filters: [
        { op: "gte", field: "rehearsal_start", value: day("2025-03-12") },
        { op: "lte", field: "rehearsal_start", value: day("2025-03-17") },
      ],
    });
  });
  it("reads 'what's <verb>ing …' as a search, not a definition", () => {
    expect(parse("what's opening in the garden venue", shows, { now }).filter).toEqual({
      op: "eq",
      field: "venue",
      value: "garden",
    });
    expect(parse("what is the garden venue", shows, { now }).filter).toBeNull();
  });
});

// An invented schema (a cheese shop) with a year the item came to be and a date of listing.
const cheeses = defineSchema([
  { name: "maker", type: "string", description: "dairy that made it, e.g. 'Montgomery'" },
  { name: "vintage", type: "number", description: "year of making, e.g. 2019" },
  { name: "price", type: "number", description: "price in dollars", synonyms: ["$"] },
  { name: "listed", type: "date", description: "date the cheese was listed in the shop" },
]);
const logs = defineSchema([
  { name: "speaker", type: "string", description: "full name of the speaker" },
  { name: "recorded", type: "date", description: "date the talk was given" },
]);

describe("a year written bare, as an adjective", () => {
  it("is the year the item came to be: the year attribute, else the date as a whole year", () => {
    expect(parse("a 2019 cheddar", cheeses, { now }).filter).toEqual({
      op: "eq",
      field: "vintage",
      value: 2019,
    });
    expect(parse("Montgomery 2019 under $40", cheeses, { now }).filter).toEqual({
      op: "and",
      filters: [
        { op: "eq", field: "maker", value: "Montgomery" },
        { op: "eq", field: "vintage", value: 2019 },
        { op: "lt", field: "price", value: 40 },
      ],
    });
    expect(parse("2024 talks", logs, { now }).filter).toEqual({
      op: "and",
      filters: [
        { op: "gte", field: "recorded", value: day("2024-01-01") },
        { op: "lt", field: "recorded", value: day("2025-01-01") },
      ],
    });
  });
  it("after a comparator of age ('or newer', 'older than') is the year the item came to be", () => {
    expect(parse("2019 or newer", cheeses, { now }).filter).toEqual({
      op: "gte",
      field: "vintage",
      value: 2019,
    });
    expect(parse("older than 2015", cheeses, { now }).filter).toEqual({
      op: "lt",
      field: "vintage",
      value: 2015,
    });
    expect(parse("listed 2024 or later", cheeses, { now }).filter).toEqual({
      op: "gte",
      field: "listed",
      value: day("2024-01-01"),
    });
  });
  it("is not a year in a sum of money, in an event's name, after a number or without dates", () => {
    expect(parse("cheeses under $2019", cheeses, { now }).filter).toEqual({
      op: "lt",
      field: "price",
      value: 2019,
    });
    expect(parse("cheeses from the 2019 heatwave", cheeses, { now }).filter).toBeNull();
    expect(parse("a story about the 2019 festival", cheeses, { now }).filter).toBeNull();
    expect(
      parse("2019 talks", defineSchema([{ name: "speaker", type: "string", description: "name" }])).filter,
    ).toBeNull();
  });
});

describe("time since an event", () => {
  // an invented schema (code repositories) with the first and the latest of several events
  const repos = defineSchema([
    { name: "first_commit", type: "date", description: "date of the first commit" },
    { name: "last_commit", type: "date", description: "date of the most recent commit" },
    { name: "archived", type: "boolean", description: "read-only, no longer maintained" },
  ]);
  const listings = defineSchema([{ name: "listed", type: "date", description: "date the flat was listed" }]);
  const r = (q: string, s = repos) => parse(q, s, { now }).filter;
  it("reads 'more than N ago' as before that instant and 'less than N ago' as since it", () => {
    expect(r("listed more than 6 months ago", listings)).toEqual({
      op: "lt",
      field: "listed",
      value: day("2024-09-12"),
    });
    expect(r("listed less than a week ago", listings)).toEqual({
      op: "gte",
      field: "listed",
      value: day("2025-03-05"),
    });
    expect(r("listed over a year ago", listings)).toEqual({
      op: "lt",
      field: "listed",
      value: day("2024-03-12"),
    });
  });
  it("reads 'by' before a date as a deadline, and nothing before an amount", () => {
    expect(r("listed by 1 March", listings)).toEqual({ op: "lt", field: "listed", value: day("2025-03-02") });
    expect(r("repos archived by 20%")).toEqual({ op: "eq", field: "archived", value: true });
  });
  it("reads 'not … in over N' as the latest event before that instant", () => {
    expect(r("repos that haven't been updated in over 2 years")).toEqual({
      op: "lt",
      field: "last_commit",
      value: day("2023-03-12"),
    });
    expect(r("repos that hasn't been archived")).toEqual({ op: "eq", field: "archived", value: false });
  });
});

describe("days named from today", () => {
  // an invented schema (a village hall's bookings) and one of past events; today is Wednesday 2025-03-12
  const bookings = defineSchema([
    {
      name: "event_type",
      type: "string",
      description: "kind of booking",
      values: ["yoga", "quiz", "market"],
    },
    { name: "booked_for", type: "date", description: "day the hall is booked for" },
  ]);
  const films = defineSchema([{ name: "released", type: "date", description: "original release date" }]);
  it("reads tonight as today and a weekday as its coming (or, after 'last', latest) date", () => {
    const dayOf = (s: string) => ({
      op: "and",
      filters: [
        { op: "gte", field: "booked_for", value: day(s) },
        { op: "lt", field: "booked_for", value: day(s) + 86_400_000 },
      ],
    });
    expect(parse("anything tonight", bookings, { now }).filter).toEqual(dayOf("2025-03-12"));
    expect(parse("quiz on Saturday", bookings, { now }).filter).toEqual({
      op: "and",
      filters: [{ op: "eq", field: "event_type", value: "quiz" }, dayOf("2025-03-15")],
    });
    expect(parse("market next wednesday", bookings, { now }).filter).toEqual({
      op: "and",
      filters: [{ op: "eq", field: "event_type", value: "market" }, dayOf("2025-03-19")],
    });
    expect(parse("yoga last monday", bookings, { now }).filter).toEqual({
      op: "and",
      filters: [{ op: "eq", field: "event_type", value: "yoga" }, dayOf("2025-03-10")],
    });
  });
  it("puts a coming window on the one date of a future event", () => {
    const catalogue = defineSchema([
      { name: "released", type: "date", description: "original release date" },
      { name: "leaving", type: "date", description: "date the title is scheduled to leave the catalogue" },
    ]);
    expect(parse("anything next month", catalogue, { now }).filter).toEqual({
      op: "and",
      filters: [
        { op: "gte", field: "leaving", value: day("2025-04-01") },
        { op: "lt", field: "leaving", value: day("2025-05-01") },
      ],
    });
    expect(parse("a short one, I have work tomorrow", catalogue, { now }).filter).toBeNull();
  });
  it("never dates a past event by the reader's own plans", () => {
    expect(parse("a film to watch tonight", films, { now }).filter).toBeNull();
    expect(parse("something for a rainy sunday", films, { now }).filter).toBeNull();
    expect(parse("something to binge this weekend", films, { now }).filter).toBeNull();
  });
});

describe("a cue word between two time values", () => {
  // an invented schema (a bookshop's first editions)
  const books = defineSchema([
    { name: "published", type: "date", description: "original publication date" },
    { name: "shelved", type: "date", description: "day the copy came into the shop" },
    {
      name: "printing_year",
      type: "number",
      integer: true,
      description: "year this copy was printed",
      synonyms: ["printed"],
    },
  ]);
  it("a recent window without a cue dates what happened to the record, not its origin", () => {
    expect(parse("new arrivals from last week", books, { now }).filter).toEqual({
      op: "and",
      filters: [
        { op: "gte", field: "shelved", value: day("2025-03-03") },
        { op: "lt", field: "shelved", value: day("2025-03-10") },
      ],
    });
    expect(parse("novels from 1999", books, { now }).filter).toEqual({
      op: "and",
      filters: [
        { op: "gte", field: "published", value: day("1999-01-01") },
        { op: "lt", field: "published", value: day("2000-01-01") },
      ],
    });
  });
  it("belongs to the value after it when a preposition joins them", () => {
    expect(parse("novels from the 1950s printed in the 1970s", books, { now }).filter).toEqual({
      op: "and",
      filters: [
        {
          op: "and",
          filters: [
            { op: "gte", field: "published", value: day("1950-01-01") },
            { op: "lt", field: "published", value: day("1960-01-01") },
          ],
        },
        {
          op: "and",
          filters: [
            { op: "gte", field: "printing_year", value: 1970 },
            { op: "lte", field: "printing_year", value: 1979 },
          ],
        },
      ],
    });
  });
});

describe("a window on the first day of a lasting state", () => {
  const sitters = defineSchema([
    { name: "available_from", type: "date", description: "first day the sitter can take new bookings" },
  ]);
  it("is any first day up to the window's last: the state has begun by then", () => {
    expect(parse("sitters free within the next 7 days", sitters, { now }).filter).toEqual({
      op: "lte",
      field: "available_from",
      value: day("2025-03-19"),
    });
  });
});
