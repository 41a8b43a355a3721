import { describe, expect, it } from "vitest";
import { parse } from "../src/index.js";
import { byCategory, evaluate, NOW, requests } from "./accuracy.js";

/** Floor for the rule-based parser on the labelled set (it scores 1.0 when this was written). */
const FLOOR = 0.95;

describe("labelled request set", () => {
  it("has at least 60 requests over at least two schemas, every construct covered", () => {
    expect(requests.length).toBeGreaterThanOrEqual(60);
    expect(new Set(requests.map((r) => r.schema)).size).toBeGreaterThanOrEqual(2);
    const cats = new Set(requests.map((r) => r.category));
    for (const c of [
      "comparative",
      "range",
      "decade",
      "date",
      "relative-date",
      "negation",
      "list",
      "boolean",
      "synonym",
      "typo",
      "array",
      "or",
      "non-filter",
    ]) {
      expect(cats).toContain(c);
    }
  });

  it(`rule-based parser matches the labelled record sets on at least ${FLOOR * 100}% of requests`, async () => {
    const outcomes = await evaluate((r, s) => parse(r, s, { now: () => NOW }));
    const table = byCategory(outcomes);
    console.table(table);
    for (const o of outcomes.filter((x) => !x.correct))
      console.log(`miss: ${o.item.request} -> ${JSON.stringify(o.predicted)}`);
    expect(table.at(-1)!.accuracy).toBeGreaterThanOrEqual(FLOOR);
  });
});
