import { describe, expect, it } from "vitest";
import { defineSchema, parse } from "../src/index.js";
import { attributeCurrency, currencyCode } from "../src/rules/currency.js";
import { inferredUnits } from "../src/rules/units.js";

// An invented schema (a photo-sharing archive) for units, currencies and comparatives read from
// the schema's own names and descriptions.
const photos = defineSchema([
  { name: "camera", type: "string", description: "camera maker", values: ["canon", "nikon", "fuji"] },
  { name: "file_size_mb", type: "number", description: "size of the original file" },
  { name: "backup", type: "number", description: "size of the backup archive in gigabytes" },
  { name: "print_price", type: "number", description: "price of a print, in EUR" },
  { name: "licence_fee", type: "number", description: "fee for a commercial licence in GBP" },
  { name: "tier", type: "number", description: "price tier from 1 (cheap) to 3", minimum: 1, maximum: 3 },
  { name: "exposure_seconds", type: "number", description: "shutter time" },
  { name: "likes", type: "number", description: "Instagram likes of the post" },
  { name: "sharpness", type: "number", description: "Imatest sharpness score", minimum: 0, maximum: 100 },
  { name: "taken", type: "date", description: "date the photo was taken" },
]);
const p = (r: string) => parse(r, photos, { now: new Date("2025-03-01T00:00:00Z") }).filter;

describe("unit inference from one table of dimensions", () => {
  it("reads data sizes with decimal prefixes into the stored unit", () => {
    expect(p("photos smaller than 500 kB")).toEqual({ op: "lt", field: "file_size_mb", value: 0.5 });
    expect(p("files over 2 GB")).toEqual({ op: "gt", field: "file_size_mb", value: 2000 });
    expect(inferredUnits(photos.attributes.find((a) => a.name === "backup")!)).toMatchObject({
      gb: 1,
      mb: 0.001,
      tb: 1000,
    });
  });
  it("keeps durations and lengths as before, and days only for a duration stored in days", () => {
    expect(p("exposures of at least 2 minutes")).toEqual({
      op: "gte",
      field: "exposure_seconds",
      value: 120,
    });
    const units = inferredUnits(photos.attributes.find((a) => a.name === "exposure_seconds")!);
    expect(units.hours).toBe(3600);
    expect(units.days).toBeUndefined();
    expect(inferredUnits(photos.attributes.find((a) => a.name === "camera")!)).toEqual({});
  });
});

describe("currencies of money attributes", () => {
  it("reads the currency an attribute holds from its name or description", () => {
    expect(attributeCurrency(photos.attributes.find((a) => a.name === "licence_fee")!)).toBe("gbp");
    expect(attributeCurrency(photos.attributes.find((a) => a.name === "print_price")!)).toBe("eur");
    expect(currencyCode("quid")).toBe("gbp");
    expect(currencyCode("bucks")).toBe("usd");
  });
  it("sends an amount to the attribute of its currency, signs and slang alike", () => {
    expect(p("a licence for under £80")).toEqual({ op: "lt", field: "licence_fee", value: 80 });
    expect(p("licences below 50 quid")).toEqual({ op: "lt", field: "licence_fee", value: 50 });
    expect(p("prints for less than €12")).toEqual({ op: "lt", field: "print_price", value: 12 });
    expect(p("prints at most 9 euros")).toEqual({ op: "lte", field: "print_price", value: 9 });
  });
});

describe("negated comparatives", () => {
  it("reads no/not before a strict comparative as its inclusive opposite", () => {
    expect(p("sharpness no lower than 70")).toEqual({ op: "gte", field: "sharpness", value: 70 });
    expect(p("exposures not longer than 30 seconds")).toEqual({
      op: "lte",
      field: "exposure_seconds",
      value: 30,
    });
    expect(p("prints no cheaper than €5")).toEqual({ op: "gte", field: "print_price", value: 5 });
  });
});

describe("description words around an attribute's word", () => {
  it("lets words of the attribute's description sit between the number and its word", () => {
    expect(p("posts with more than 300 Instagram likes")).toEqual({ op: "gt", field: "likes", value: 300 });
    expect(p("an Imatest sharpness score of 60 or more")).toEqual({
      op: "gte",
      field: "sharpness",
      value: 60,
    });
  });
  it("does not pass over other words", () => {
    expect(p("more than 300 Facebook likes")).toBeNull();
  });
});
