import { describe, expect, it } from "vitest";
import { defineSchema, parse } from "../src/index.js";
import { romanValue } from "../src/rules/described-labels.js";

// An invented schema (used game consoles) whose descriptions show how numbers are labelled.
const schema = defineSchema([
  { name: "maker", type: "string", description: "maker, e.g. 'Nintendo', 'Sega'" },
  { name: "model", type: "string", description: "model name as sold, e.g. 'Game Boy Color', 'Mega Drive'" },
  { name: "revision", type: "number", integer: true, description: "hardware revision, e.g. 2 for a Model 2" },
  {
    name: "firmware_major",
    type: "number",
    integer: true,
    description: "major firmware number, e.g. 11 for System 11.0.1",
  },
  { name: "platform", type: "string", description: "platform family", values: ["system", "handheld"] },
]);
const now = () => new Date("2025-01-10T00:00:00Z");
const p = (r: string) => parse(r, schema, { now }).filter;

describe("rule parser: numbers labelled as a description's example", () => {
  it("reads the number after the example's label", () => {
    expect(p("a model 2")).toEqual({ op: "eq", field: "revision", value: 2 });
  });

  it("reads a comparative after it and leaves the label to its own attribute", () => {
    expect(p("system 9 or newer")).toEqual({
      op: "and",
      filters: [
        { op: "eq", field: "platform", value: "system" },
        { op: "gte", field: "firmware_major", value: 9 },
      ],
    });
  });

  it("reads a Roman numeral after a label", () => {
    expect(p("model ii")).toEqual({ op: "eq", field: "revision", value: 2 });
    expect([
      romanValue("iv"),
      romanValue("ix"),
      romanValue("xiii"),
      romanValue("vii"),
      romanValue(""),
    ]).toEqual([4, 9, 13, 7, undefined]);
  });
});

describe("rule parser: examples of free-text attributes", () => {
  it("does not stand the first word of an example for the whole example", () => {
    expect(p("game boy")).toBeNull();
    expect(p("game boy color")).toEqual({ op: "eq", field: "model", value: "Game Boy Color" });
  });
});
