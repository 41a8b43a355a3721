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

// An invented schema (an app store and its comics shelf) for versions and numbered labels.
const apps = defineSchema([
  { name: "app", type: "string", description: "app name as listed, e.g. 'Notely', 'Skyglass'" },
  { name: "current_version", type: "string", description: "current release, e.g. '3.4.1', '10.0.2-rc.1'" },
  { name: "min_os_version", type: "string", description: "oldest supported OS, e.g. '14', '15.2'" },
  { name: "major_version", type: "number", description: "major number of the current release", minimum: 0 },
  { name: "volume", type: "number", description: "volume of the comic", minimum: 1 },
  { name: "issue_number", type: "number", description: "issue within the volume", minimum: 1 },
  { name: "rating", type: "number", description: "store rating out of 5", minimum: 0, maximum: 5 },
]);
const a = (r: string) => parse(r, apps, { now: new Date("2025-03-01T00:00:00Z") }).filter;

describe("versions by the shape of described examples", () => {
  it("reads a version of several parts whole, for the attribute whose examples it resembles", () => {
    expect(a("Skyglass 4.0.0")).toEqual({
      op: "and",
      filters: [
        { op: "eq", field: "app", value: "Skyglass" },
        { op: "eq", field: "current_version", value: "4.0.0" },
      ],
    });
    expect(a("apps whose current version is 2.1.0-beta.2")).toEqual({
      op: "eq",
      field: "current_version",
      value: "2.1.0-beta.2",
    });
  });
  it("takes a one-dot version only after words naming a version attribute", () => {
    expect(a("apps with a min OS version of 16.1")).toEqual({
      op: "eq",
      field: "min_os_version",
      value: "16.1",
    });
    expect(a("apps rated 4.5")).toEqual({ op: "eq", field: "rating", value: 4.5 });
  });
  it("reads major versions: vN, N.x and pre-N.0", () => {
    expect(a("apps on v4")).toEqual({ op: "eq", field: "major_version", value: 4 });
    expect(a("apps still on 1.x")).toEqual({ op: "eq", field: "major_version", value: 1 });
    expect(a("pre-2.0 apps")).toEqual({ op: "lt", field: "major_version", value: 2 });
    expect(a("apps past v5 but not v6")).toEqual({
      op: "and",
      filters: [
        { op: "eq", field: "major_version", value: 5 },
        { op: "ne", field: "major_version", value: 6 },
      ],
    });
  });
});

describe("numbered labels", () => {
  it("lets a singular attribute word before a number beat a plural noun after it", () => {
    expect(a("volume 3 issues")).toEqual({ op: "eq", field: "volume", value: 3 });
  });
  it("reads a number sign after the attribute word", () => {
    expect(a("issue #12")).toEqual({ op: "eq", field: "issue_number", value: 12 });
  });
  it("reads 'the first N' of what an attribute numbers as positions 1 to N", () => {
    expect(a("the first 5 issues")).toEqual({ op: "lte", field: "issue_number", value: 5 });
    expect(a("the first 5 volumes")).toEqual({ op: "eq", field: "volume", value: 5 });
  });
});

// An invented schema (a hiking-hut guide) for counts of at least one and described values.
const huts = defineSchema([
  { name: "region", type: "string", description: "mountain range", values: ["alps", "tatras", "dolomites"] },
  { name: "alpine_awards", type: "number", description: "number of Alpine Club awards (0 if none)" },
  { name: "fee", type: "number", description: "overnight fee in EUR (0 for unstaffed huts)", minimum: 0 },
  { name: "beds", type: "number", description: "number of beds in the dormitory" },
]);
const h = (r: string) => parse(r, huts, { now: new Date("2025-03-01T00:00:00Z") }).filter;

describe("counts of at least one", () => {
  it("reads 'a <counted noun>' and '<name>-<noun>ed' as one or more", () => {
    expect(h("huts with an Alpine Club award")).toEqual({ op: "gte", field: "alpine_awards", value: 1 });
    expect(h("alpine-awarded huts in the tatras")).toEqual({
      op: "and",
      filters: [
        { op: "gte", field: "alpine_awards", value: 1 },
        { op: "eq", field: "region", value: "tatras" },
      ],
    });
  });
  it("takes the counted noun at the end of the described phrase, description words before it", () => {
    expect(h("huts with no Alpine Club awards")).toEqual({ op: "eq", field: "alpine_awards", value: 0 });
    expect(h("at least 20 beds")).toEqual({ op: "gte", field: "beds", value: 20 });
  });
});

describe("values a number attribute's description gives to a word", () => {
  it("reads the modifier after 'N for' as that value", () => {
    expect(h("unstaffed huts in the alps")).toEqual({
      op: "and",
      filters: [
        { op: "eq", field: "fee", value: 0 },
        { op: "eq", field: "region", value: "alps" },
      ],
    });
    expect(h("huts that are unstaffed or have 30 beds or more")).toEqual({
      op: "or",
      filters: [
        { op: "eq", field: "fee", value: 0 },
        { op: "gte", field: "beds", value: 30 },
      ],
    });
  });
  it("gives no value to a word the description names without a noun after it", () => {
    expect(h("none of the huts")).toBeNull();
  });
});

// An invented schema (a sailing-boat register) for several attributes of one dimension, shares in
// percent and years named only by the description.
const boats = defineSchema([
  { name: "length_m", type: "number", description: "overall length of the hull in metres" },
  { name: "mast_height_ft", type: "number", description: "height of the mast above the waterline" },
  { name: "ballast_ratio", type: "number", description: "ballast as a share of displacement, in percent" },
  { name: "launched", type: "number", description: "launch year, e.g. 1998" },
  { name: "berth_fee", type: "number", description: "yearly berth fee, per year in EUR" },
  { name: "listed", type: "date", description: "date the boat was listed" },
]);
const bt = (r: string) => parse(r, boats, { now: new Date("2025-03-01T00:00:00Z") }).filter;

describe("measures several attributes share, percentages and years named by a description", () => {
  it("gives an amount to the attribute the words after its unit describe", () => {
    expect(bt("at least 20 m of mast height")).toEqual({ op: "gte", field: "mast_height_ft", value: 65.62 });
    expect(bt("boats under 40 feet in length")).toEqual({ op: "lt", field: "length_m", value: 12.19 });
  });
  it("prefers the attribute stored in the unit when no word says which", () => {
    expect(bt("over 50 ft")).toEqual({ op: "gt", field: "mast_height_ft", value: 50 });
    expect(bt("over 12 metres")).toEqual({ op: "gt", field: "length_m", value: 12 });
  });
  it("reads a share in percent, written as a sign or a word", () => {
    expect(bt("a ballast ratio of at least 35%")).toEqual({ op: "gte", field: "ballast_ratio", value: 35 });
    expect(bt("under 30 percent ballast")).toEqual({ op: "lt", field: "ballast_ratio", value: 30 });
  });
  it("treats a number attribute as years when its description's first phrase is a year", () => {
    expect(bt("boats from the 1980s")).toEqual({
      op: "and",
      filters: [
        { op: "gte", field: "launched", value: 1980 },
        { op: "lte", field: "launched", value: 1989 },
      ],
    });
    expect(boats.attributes.find((a) => a.name === "berth_fee")).toBeDefined();
    expect(bt("a berth fee under 2000")).toEqual({ op: "lt", field: "berth_fee", value: 2000 });
  });
});
