import { type LanguageModel, ValidationError } from "@ragloom/core";
import { describe, expect, it } from "vitest";
import {
  createLlmParser,
  createRuleBasedParser,
  defineSchema,
  parse,
  validateSchemaFilter,
} from "../src/index.js";

const schema = defineSchema([{ name: "published", type: "date", description: "publication date" }]);
const lastYear2024 = {
  op: "and",
  filters: [
    { op: "gte", field: "published", value: Date.UTC(2023, 0, 1) },
    { op: "lt", field: "published", value: Date.UTC(2024, 0, 1) },
  ],
};

/** Never called: createLlmParser checks its options before any model call. */
const unused: LanguageModel = {
  modelId: "unused",
  generate: () => Promise.reject(new Error("not called")),
};

describe("now: a Date or a function returning one", () => {
  it("reads relative dates against a fixed Date as against a clock function", async () => {
    const date = new Date("2024-06-15T00:00:00Z");
    const fixed = parse("published last year", schema, { now: date });
    const fn = parse("published last year", schema, { now: () => date });
    expect(fixed.filter).toEqual(lastYear2024);
    expect(fn.filter).toEqual(fixed.filter);
    expect((await createRuleBasedParser({ now: date }).parse("published last year", schema)).filter).toEqual(
      lastYear2024,
    );
    // validateSchemaFilter takes the same clock, for relative date text in values
    const v = validateSchemaFilter({ op: "eq", field: "published", value: "2023" }, schema, {
      now: () => date,
    });
    expect(v).toEqual(lastYear2024);
  });

  it("rejects anything else with a ValidationError naming the option", () => {
    const bad: unknown[] = ["2024-06-15", 1718409600000, new Date("not a date"), null, {}];
    for (const now of bad) {
      const call = () => parse("published last year", schema, { now: now as Date });
      expect(call).toThrow(ValidationError);
      expect(call).toThrow(/now must be a valid Date or a function returning one/);
      expect(() => createRuleBasedParser({ now: now as Date })).toThrow(ValidationError);
      expect(() => createLlmParser({ model: unused, now: now as Date })).toThrow(ValidationError);
      expect(() => validateSchemaFilter(null, schema, { now: now as Date })).toThrow(ValidationError);
    }
    // a function clock that returns no Date fails at the parse that calls it
    const wrong = () => "today" as unknown as Date;
    expect(() => parse("published last year", schema, { now: wrong })).toThrow(
      /now\(\) must be a valid Date/,
    );
    expect(() => createLlmParser({ model: unused, now: new Date("2024-06-15T00:00:00Z") })).not.toThrow();
  });
});
