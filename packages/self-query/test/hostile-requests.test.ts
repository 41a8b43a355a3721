import { RagloomError, ValidationError } from "@ragloom/core";
import { describe, expect, it } from "vitest";
import { DEFAULT_MAX_REQUEST_LENGTH, defineSchema, parse, RequestTooLongError } from "../src/index.js";

const movies = defineSchema([
  {
    name: "genre",
    type: "string",
    description: "main genre",
    values: ["comedy", "drama", { value: "sci-fi", synonyms: ["science fiction"] }],
  },
  { name: "year", type: "number", description: "release year", synonyms: ["released"] },
  { name: "rating", type: "number", description: "critic score", synonyms: ["rated", "score"] },
  { name: "published", type: "date", description: "publication date" },
]);
const now = () => new Date("2024-06-15T00:00:00Z");
const p = (r: string, schema = movies) => parse(r, schema, { now });

describe("injected comparisons of literals", () => {
  it("keeps 1=1 and its quoted and spaced forms as query text", () => {
    for (const tail of ["1=1", "1 = 1", "'1'='1'", '"1" = "1"', "2 > 1", "1 <> 2", "1==1", "1=1=1"]) {
      const out = p(`released after 2000 OR ${tail}`);
      expect(out.filter, tail).toEqual({ op: "gt", field: "year", value: 2000 });
      expect(out.query.replace(/\s+/g, ""), tail).toContain(tail.replace(/\s+/g, ""));
    }
    expect(p("1=1").filter).toBeNull();
  });

  it("still reads a comparison with an attribute on the left", () => {
    expect(p("rating >= 7").filter).toEqual({ op: "gte", field: "rating", value: 7 });
    expect(p("year = 1999").filter).toEqual({ op: "eq", field: "year", value: 1999 });
  });
});

describe("numbers that fit no attribute", () => {
  it("keeps a 20-digit number as text instead of filtering another attribute", () => {
    const big = "12345678901234567890";
    for (const r of [`year > ${big}`, `released after ${big}`, `rated ${big}`, `after ${big}`, `= ${big}`]) {
      const out = p(r);
      expect(out.filter, r).toBeNull();
      expect(out.query, r).toContain(big);
    }
  });

  it("does not hand a number meant for a year or date attribute to a number attribute", () => {
    const one = defineSchema([
      { name: "year", type: "number", description: "release year", synonyms: ["released"] },
      { name: "rating", type: "number", description: "critic score" },
    ]);
    expect(p("released after 12345", one).filter).toBeNull();
    expect(p("year > 98765", one).filter).toBeNull();
    // a price-like amount after a date cue still defaults to the money attribute
    const shop = defineSchema([
      { name: "launched", type: "date", description: "launch date" },
      { name: "price", type: "number", description: "price in dollars" },
      { name: "rating", type: "number", description: "stars" },
    ]);
    expect(p("phones launched below 200", shop).filter).toEqual({ op: "lt", field: "price", value: 200 });
    // the same number with no cue still goes to the only number attribute, as documented
    expect(p("over 12345", one).filter).toEqual({ op: "gt", field: "rating", value: 12345 });
  });

  it("respects declared minimum and maximum", () => {
    const ranged = defineSchema([
      { name: "rating", type: "number", description: "stars", synonyms: ["rated"], minimum: 1, maximum: 5 },
      { name: "price", type: "number", description: "price in dollars", synonyms: ["cost"] },
    ]);
    expect(p("rated 4", ranged).filter).toEqual({ op: "eq", field: "rating", value: 4 });
    expect(p("rated at least 12", ranged).filter).toBeNull();
    expect(p("rated 2000", ranged).filter).toBeNull();
    expect(p("rated between 2 and 9", ranged).filter).toBeNull();
    expect(() =>
      defineSchema([{ name: "r", type: "number", description: "", minimum: 5, maximum: 1 }]),
    ).toThrowError(ValidationError);
    expect(() =>
      defineSchema([{ name: "s", type: "string", description: "", minimum: 1 } as never]),
    ).toThrowError(ValidationError);
  });
});

describe("Unicode normalisation", () => {
  const clean = "comedies rated at least 7, not from 1999";
  const disguised: Record<string, string> = {
    "right-to-left mark": "comedies ra\u200fted at le\u200fast 7, not from 1999",
    "word joiner": "comedies rated at least 7, n\u2060ot from 1999",
    "zero-width space": "com\u200bedies rated at least 7, no\u200bt from 1999",
    "soft hyphen and BOM": "come\u00addies rated at lea\ufeffst 7, not from 1999",
    "bidi isolates": "comedies \u2066rated\u2069 at least 7, not from 1999",
    "tag characters": "comedies rated at least 7, n\u{e006f}ot from 1999",
    "Cyrillic look-alikes": "comedies r\u0430ted at l\u0435ast 7, n\u043et from 1999",
    "Greek look-alikes": "comedies rated at least 7, \u039d\u039f\u03a4 from 1999",
    "fullwidth letters": "ｃｏｍｅｄｉｅｓ rated at least 7, not from 1999",
  };
  it("reads a request with invisible or look-alike characters in keywords like the clean one", () => {
    const expected = p(clean);
    expect(expected.filter).toEqual({
      op: "and",
      filters: [
        { op: "eq", field: "genre", value: "comedy" },
        { op: "gte", field: "rating", value: 7 },
        {
          op: "not",
          filter: {
            op: "and",
            filters: [
              { op: "gte", field: "published", value: Date.UTC(1999, 0, 1) },
              { op: "lt", field: "published", value: Date.UTC(2000, 0, 1) },
            ],
          },
        },
      ],
    });
    for (const [what, text] of Object.entries(disguised)) {
      const out = p(text);
      expect(out.filter, what).toEqual(expected.filter);
      expect(out.query, what).toBe(expected.query);
    }
  });

  it("leaves words of other scripts alone", () => {
    const out = p("фильмы после 2000 года");
    expect(out.filter).toBeNull();
    expect(out.query).toBe("фильмы после 2000 года");
    expect(p("κωμωδίες drama").query).toBe("κωμωδίες");
  });
});

describe("request length", () => {
  it("rejects a request over maxRequestLength with a typed error", () => {
    const long = "a".repeat(DEFAULT_MAX_REQUEST_LENGTH + 1);
    expect(() => p(long)).toThrowError(RequestTooLongError);
    try {
      parse("abcdef", movies, { maxRequestLength: 5 });
    } catch (e) {
      expect(e).toBeInstanceOf(ValidationError);
      expect(e).toBeInstanceOf(RagloomError);
      expect(e).toMatchObject({ code: "ERR_VALIDATION", length: 6, maxLength: 5 });
    }
    expect(() => parse("abc", movies, { maxRequestLength: 0 })).toThrowError(ValidationError);
    expect(parse("abcde", movies, { maxRequestLength: 5 }).filter).toBeNull();
  });
});
