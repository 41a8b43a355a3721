import { describe, expect, it } from "vitest";
import { defineSchema, parse } from "../src/index.js";

// Invented schemas (a coin dealer, a climbing gym) whose descriptions state the values' order.
const coins = defineSchema([
  {
    name: "grade",
    type: "string",
    description: "coin grade, best first",
    values: ["mint_state", "about_uncirculated", "extremely_fine", "very_fine", "fine"],
  },
  { name: "metal", type: "string", description: "metal", values: ["gold", "silver", "copper"] },
]);
const routes = defineSchema([
  {
    name: "difficulty",
    type: "string",
    description: "route grade, lowest first",
    values: ["easy", "medium", "hard"],
  },
  { name: "style", type: "string", description: "kind of climbing", values: ["boulder", "sport", "trad"] },
]);

describe("enumerated values compared in their declared order", () => {
  it("reads 'or better', 'at least' and 'better than' toward the best end of the list", () => {
    expect(parse("extremely fine or better", coins).filter).toEqual({
      op: "in",
      field: "grade",
      value: ["mint_state", "about_uncirculated", "extremely_fine"],
    });
    expect(parse("silver coins better than very fine", coins).filter).toEqual({
      op: "and",
      filters: [
        { op: "eq", field: "metal", value: "silver" },
        { op: "in", field: "grade", value: ["mint_state", "about_uncirculated", "extremely_fine"] },
      ],
    });
    expect(parse("at least medium difficulty", routes).filter).toEqual({
      op: "in",
      field: "difficulty",
      value: ["medium", "hard"],
    });
    expect(parse("medium difficulty or lower", routes).filter).toEqual({
      op: "in",
      field: "difficulty",
      value: ["easy", "medium"],
    });
  });
  it("compares nothing when the description does not state the order", () => {
    // the "or" then joins nothing the parser can read: no filter rather than a doubtful one
    expect(parse("boulder or better", routes).filter).toBeNull();
  });
});
