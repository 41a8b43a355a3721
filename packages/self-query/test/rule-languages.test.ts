import { describe, expect, it } from "vitest";
import { defineSchema, parse } from "../src/index.js";

// Invented schemas (evening classes, a translators' directory) with a language attribute.
const classes = defineSchema([
  {
    name: "topic",
    type: "string",
    description: "what the class teaches",
    values: ["cooking", "pottery", "chess"],
  },
  { name: "language", type: "string", description: "language the class is taught in, e.g. 'English'" },
]);
const translators = defineSchema([
  { name: "country", type: "string", description: "country of residence, e.g. 'Brazil'" },
  { name: "speaks", type: "string[]", description: "languages spoken, in lower case, e.g. 'english'" },
]);

describe("languages (ISO 639-1 names) for a schema's language attribute", () => {
  it("reads every language of a list, in the case of the attribute's examples", () => {
    expect(parse("pottery taught in french, german or dutch", classes).filter).toEqual({
      op: "and",
      filters: [
        { op: "eq", field: "topic", value: "pottery" },
        { op: "in", field: "language", value: ["French", "German", "Dutch"] },
      ],
    });
    expect(parse("a Greek cooking class", classes).filter).toEqual({
      op: "and",
      filters: [
        { op: "eq", field: "language", value: "Greek" },
        { op: "eq", field: "topic", value: "cooking" },
      ],
    });
    expect(parse("speaks portuguese or italian", translators).filter).toEqual({
      op: "or",
      filters: [
        { op: "contains", field: "speaks", value: "portuguese" },
        { op: "contains", field: "speaks", value: "italian" },
      ],
    });
  });
  it("with a country attribute too, a nationality word is the language only after a language cue", () => {
    expect(parse("portuguese translators", translators).filter).toEqual({
      op: "eq",
      field: "country",
      value: "Portugal",
    });
    expect(parse("translators who speak portuguese", translators).filter).toEqual({
      op: "contains",
      field: "speaks",
      value: "portuguese",
    });
  });
});
