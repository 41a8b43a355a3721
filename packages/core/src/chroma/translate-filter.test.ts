import { describe, expect, it } from "vitest";
import { FilterError } from "../errors/errors.js";
import { F } from "../filter/builders.js";
import { toChromaFilter } from "./translate-filter.js";

describe("toChromaFilter", () => {
  it("emits no clause for no filter, and no one-argument $and", () => {
    expect(toChromaFilter(null)).toEqual({});
    expect(toChromaFilter(F.and(F.eq("a", 1)))).toEqual({ where: { a: { $eq: 1 } } });
    expect(toChromaFilter(F.or(F.and(F.eq("a", 1))))).toEqual({ where: { a: { $eq: 1 } } });
  });

  it("translates every operator and pushes not down", () => {
    expect(
      toChromaFilter(
        F.and(
          F.gt("y", 1),
          F.in("l", ["a", "b"]),
          F.contains("tags", "x"),
          F.not(F.or(F.eq("a", 1), F.contains("tags", "z"))),
        ),
      ),
    ).toEqual({
      where: {
        $and: [
          { y: { $gt: 1 } },
          { l: { $in: ["a", "b"] } },
          { tags: { $contains: "x" } },
          { a: { $ne: 1 } },
          { tags: { $not_contains: "z" } },
        ],
      },
    });
  });

  it("routes $document conditions to whereDocument", () => {
    expect(toChromaFilter(F.and(F.contains("$document", "retry"), F.eq("a", 1)))).toEqual({
      where: { a: { $eq: 1 } },
      whereDocument: { $contains: "retry" },
    });
    expect(toChromaFilter(F.not(F.contains("$document", "x")))).toEqual({
      whereDocument: { $not_contains: "x" },
    });
    expect(() => toChromaFilter(F.or(F.contains("$document", "x"), F.eq("a", 1)))).toThrowError(FilterError);
  });

  it("validates first", () => {
    expect(() => toChromaFilter({ op: "and", filters: [] } as never)).toThrowError(FilterError);
  });
});
