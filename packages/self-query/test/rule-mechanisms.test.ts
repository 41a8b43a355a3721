import { describe, expect, it } from "vitest";
import { defineSchema, parse } from "../src/index.js";

// An invented schema (a course catalogue) exercising the general mechanisms of the rule parser.
const schema = defineSchema([
  {
    name: "subject",
    type: "string",
    description: "subject taught",
    values: ["chemistry", "history", "drawing", "physics"],
  },
  { name: "level", type: "string", description: "course level", values: ["beginner", "advanced"] },
  { name: "certified", type: "boolean", description: "the course ends with a certificate" },
  { name: "fee", type: "number", description: "course fee", synonyms: ["price"] },
  { name: "starts", type: "date", description: "first lesson" },
  { name: "teacher", type: "string", description: "full name of the person who teaches it" },
  { name: "skills", type: "string[]", description: "skills taught, e.g. 'sketching', 'titration'" },
  { name: "campus", type: "string", description: "city of the campus, e.g. 'Porto'" },
  { name: "week", type: "number", description: "week of the term", minimum: 1, maximum: 12 },
]);
const now = () => new Date("2025-01-10T00:00:00Z");
const p = (r: string) => parse(r, schema, { now }).filter;

describe("rule parser: scope of or", () => {
  it("binds or to the conditions on either side of it", () => {
    expect(p("chemistry courses that are either advanced or certified")).toEqual({
      op: "and",
      filters: [
        { op: "eq", field: "subject", value: "chemistry" },
        {
          op: "or",
          filters: [
            { op: "eq", field: "level", value: "advanced" },
            { op: "eq", field: "certified", value: true },
          ],
        },
      ],
    });
  });

  it("keeps parallel phrases whole and widens or before 'anything'", () => {
    expect(p("beginner chemistry or beginner physics")).toEqual({
      op: "or",
      filters: [
        {
          op: "and",
          filters: [
            { op: "eq", field: "level", value: "beginner" },
            { op: "eq", field: "subject", value: "chemistry" },
          ],
        },
        {
          op: "and",
          filters: [
            { op: "eq", field: "level", value: "beginner" },
            { op: "eq", field: "subject", value: "physics" },
          ],
        },
      ],
    });
    expect(p("advanced history courses or anything certified")).toEqual({
      op: "or",
      filters: [
        {
          op: "and",
          filters: [
            { op: "eq", field: "level", value: "advanced" },
            { op: "eq", field: "subject", value: "history" },
          ],
        },
        { op: "eq", field: "certified", value: true },
      ],
    });
  });
});

describe("rule parser: doubtful alternatives", () => {
  it("gives no filter when one side of an or is unread, keeping the request as the query", () => {
    const out = parse("chemistry or pottery courses", schema, { now });
    expect(out.filter).toBeNull();
    expect(out.query).toBe("chemistry or pottery courses");
    expect(p("history or Latin courses")).toBeNull();
    // a word leading into a condition belongs to that alternative
    expect(p("advanced courses or ones that start before 2024")).toEqual({
      op: "or",
      filters: [
        { op: "eq", field: "level", value: "advanced" },
        { op: "lt", field: "starts", value: Date.UTC(2024, 0, 1) },
      ],
    });
    expect(p("chemistry or physics courses")).toEqual({
      op: "in",
      field: "subject",
      value: ["chemistry", "physics"],
    });
  });
});

describe("rule parser: negation", () => {
  it("reads a negated yes/no value as the other value", () => {
    expect(p("courses that weren't certified")).toEqual({ op: "eq", field: "certified", value: false });
    expect(p("non-certified drawing classes")).toEqual({
      op: "and",
      filters: [
        { op: "eq", field: "certified", value: false },
        { op: "eq", field: "subject", value: "drawing" },
      ],
    });
  });

  it("reaches over one participle or auxiliary, and reads 'outside of' and 'nothing'", () => {
    expect(p("classes not taught by Ines Duarte")).toEqual({
      op: "ne",
      field: "teacher",
      value: "Ines Duarte",
    });
    expect(p("courses that never got certified")).toEqual({ op: "eq", field: "certified", value: false });
    expect(p("courses outside of history")).toEqual({ op: "ne", field: "subject", value: "history" });
    expect(p("evening courses, nothing advanced")).toEqual({ op: "ne", field: "level", value: "advanced" });
  });
});

describe("rule parser: amounts", () => {
  it("reads a year-like number after a non-date comparative as an amount", () => {
    expect(p("courses under 1900")).toEqual({ op: "lt", field: "fee", value: 1900 });
    expect(p("courses starting before 2024")).toEqual({
      op: "lt",
      field: "starts",
      value: Date.UTC(2024, 0, 1),
    });
  });
});

// An invented freight schema: a start and an end quoted as codes in their descriptions.
const freight = defineSchema([
  { name: "origin", type: "string", description: "UN/LOCODE of the port of departure, e.g. 'NLRTM'" },
  { name: "destination", type: "string", description: "UN/LOCODE of the arrival port, e.g. 'SGSIN'" },
  { name: "mode", type: "string", description: "transport mode", values: ["sea", "air", "rail"] },
]);

describe("rule parser: places and lists", () => {
  it("reads a start, an end and a place from their cues, the cue winning over quoted examples", () => {
    expect(parse("sea freight from SGSIN to CNSHA", freight).filter).toEqual({
      op: "and",
      filters: [
        { op: "eq", field: "mode", value: "sea" },
        { op: "eq", field: "origin", value: "SGSIN" },
        { op: "eq", field: "destination", value: "CNSHA" },
      ],
    });
    expect(p("drawing courses in Coimbra")).toEqual({
      op: "and",
      filters: [
        { op: "eq", field: "subject", value: "drawing" },
        { op: "eq", field: "campus", value: "Coimbra" },
      ],
    });
  });

  it("keeps every value of a list after a cue", () => {
    expect(parse("shipments out of NLRTM into DEHAM, BEANR or FRLEH", freight).filter).toEqual({
      op: "and",
      filters: [
        { op: "eq", field: "origin", value: "NLRTM" },
        { op: "in", field: "destination", value: ["DEHAM", "BEANR", "FRLEH"] },
      ],
    });
    expect(p("courses taught by Ines Duarte or Rui Matos")).toEqual({
      op: "in",
      field: "teacher",
      value: ["Ines Duarte", "Rui Matos"],
    });
    expect(p("courses teaching sketching or calligraphy")).toEqual({
      op: "or",
      filters: [
        { op: "contains", field: "skills", value: "sketching" },
        { op: "contains", field: "skills", value: "calligraphy" },
      ],
    });
    expect(p("lessons in week 3 or 4")).toEqual({
      op: "or",
      filters: [
        { op: "eq", field: "week", value: 3 },
        { op: "eq", field: "week", value: 4 },
      ],
    });
  });

  it("does not read a known value of another attribute as a place", () => {
    expect(p("courses in Chemistry")).toEqual({ op: "eq", field: "subject", value: "chemistry" });
  });

  it("leaves a comma that closes no list alone", () => {
    expect(p("courses in Porto, cheap ones")).toEqual({ op: "eq", field: "campus", value: "Porto" });
  });
});

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

describe("rule parser: coming dates", () => {
  // 2025-01-10 is a Friday
  it("reads tomorrow, next <unit>, this weekend and a month range whose year comes last", () => {
    expect(p("courses that start tomorrow")).toEqual({
      op: "and",
      filters: [
        { op: "gte", field: "starts", value: Date.UTC(2025, 0, 11) },
        { op: "lt", field: "starts", value: Date.UTC(2025, 0, 12) },
      ],
    });
    expect(p("courses that start next month")).toEqual({
      op: "and",
      filters: [
        { op: "gte", field: "starts", value: Date.UTC(2025, 1, 1) },
        { op: "lt", field: "starts", value: Date.UTC(2025, 2, 1) },
      ],
    });
    expect(p("courses that start this weekend")).toEqual({
      op: "and",
      filters: [
        { op: "gte", field: "starts", value: Date.UTC(2025, 0, 11) },
        { op: "lt", field: "starts", value: Date.UTC(2025, 0, 13) },
      ],
    });
    expect(p("courses that start between October and December 2025")).toEqual({
      op: "and",
      filters: [
        { op: "gte", field: "starts", value: Date.UTC(2025, 9, 1) },
        { op: "lt", field: "starts", value: Date.UTC(2026, 0, 1) },
      ],
    });
  });
});

describe("rule parser: typos, described cues and excluded list items", () => {
  it("tolerates typos against the unstemmed value, a swap in four letters, and a misspelt cue", () => {
    expect(p("histroy corses")).toEqual({ op: "eq", field: "subject", value: "history" });
    expect(p("physic course")).toEqual({ op: "eq", field: "subject", value: "physics" });
    expect(h("lodegs")).toEqual({ op: "eq", field: "kind", value: "lodge" });
    expect(p("lessons in wekk 3")).toBeNull();
    expect(p("lessons in weeek 3")).toEqual({ op: "eq", field: "week", value: 3 });
  });

  it("reads a participle before the attribute's noun in its description as a cue", () => {
    const s = defineSchema([
      { name: "tools", type: "string[]", description: "provided tools, lowercase" },
      { name: "level", type: "string", description: "level", values: ["easy", "hard"] },
    ]);
    expect(parse("easy kits not providing pliers", s).filter).toEqual({
      op: "and",
      filters: [
        { op: "eq", field: "level", value: "easy" },
        { op: "not", filter: { op: "contains", field: "tools", value: "pliers" } },
      ],
    });
  });

  it("reads an excluded item of a list", () => {
    expect(p("courses teaching sketching but not titration")).toEqual({
      op: "and",
      filters: [
        { op: "contains", field: "skills", value: "sketching" },
        { op: "not", filter: { op: "contains", field: "skills", value: "titration" } },
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
