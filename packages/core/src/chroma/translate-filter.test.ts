import { describe, expect, it } from "vitest";
import { FilterError } from "../errors/errors.js";
import { F } from "../filter/builders.js";
import { CHROMA_MAX_JUNCTION, toChromaFilter } from "./translate-filter.js";

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

  it("merges eqs on one field into $in (nes into $nin), splitting lists by value type", () => {
    expect(toChromaFilter(F.or(F.eq("a", 1), F.eq("a", 2), F.in("a", [3, 1]), F.eq("b", 1)))).toEqual({
      where: { $or: [{ a: { $in: [1, 2, 3] } }, { b: { $eq: 1 } }] },
    });
    expect(toChromaFilter(F.not(F.or(F.eq("a", 1), F.eq("a", 2))))).toEqual({
      where: { a: { $nin: [1, 2] } },
    });
    expect(toChromaFilter(F.or(F.eq("a", 1), F.eq("a", "x")))).toEqual({
      where: { $or: [{ a: { $in: [1] } }, { a: { $in: ["x"] } }] },
    });
    expect(toChromaFilter(F.in("y", [2021, 2021.5, 2022]))).toEqual({
      where: {
        $or: [{ y: { $in: [2021, 2022] } }, { $and: [{ y: { $in: [2021.5] } }, { y: { $nin: [2021] } }] }],
      },
    });
    expect(toChromaFilter(F.nin("y", [1, 1.5]))).toEqual({
      where: { $and: [{ y: { $nin: [1] } }, { $or: [{ y: { $nin: [1.5] } }, { y: { $in: [1] } }] }] },
    });
    // $document conditions are never merged
    expect(toChromaFilter(F.or(F.contains("$document", "a"), F.contains("$document", "b")))).toEqual({
      whereDocument: { $or: [{ $contains: "a" }, { $contains: "b" }] },
    });
  });

  it("corrects comparisons with non-integer numbers for integer-valued records", () => {
    const w = (f: Parameters<typeof toChromaFilter>[0]) => toChromaFilter(f).where;
    expect(w(F.eq("y", 2.5))).toEqual({ $and: [{ y: { $eq: 2.5 } }, { y: { $ne: 2 } }] });
    expect(w(F.ne("y", -2.5))).toEqual({ $or: [{ y: { $ne: -2.5 } }, { y: { $eq: -2 } }] });
    expect(w(F.gt("y", 2.5))).toEqual({ y: { $gt: 2.5 } });
    expect(w(F.gt("y", -0.5))).toEqual({ $or: [{ y: { $gt: -0.5 } }, { y: { $eq: 0 } }] });
    expect(w(F.gte("y", 2.5))).toEqual({ $and: [{ y: { $gte: 2.5 } }, { y: { $ne: 2 } }] });
    expect(w(F.lt("y", 2.5))).toEqual({ $or: [{ y: { $lt: 2.5 } }, { y: { $eq: 2 } }] });
    expect(w(F.lte("y", -2.5))).toEqual({ $and: [{ y: { $lte: -2.5 } }, { y: { $ne: -2 } }] });
    expect(w(F.lte("y", 3))).toEqual({ y: { $lte: 3 } });
  });

  it("nests and/or wider than CHROMA_MAX_JUNCTION in balanced groups, never one-argument", () => {
    const wide = F.or(...Array.from({ length: 1000 }, (_, i) => F.gt(`f${i}`, i)));
    const { where } = toChromaFilter(wide) as { where: { $or: Array<{ $or: unknown[] }> } };
    const groups = where.$or;
    expect(groups.length).toBeLessThanOrEqual(CHROMA_MAX_JUNCTION);
    for (const g of groups) {
      expect(g.$or.length).toBeGreaterThan(1);
      expect(g.$or.length).toBeLessThanOrEqual(CHROMA_MAX_JUNCTION);
    }
    expect(groups.flatMap((g) => g.$or)).toEqual(
      Array.from({ length: 1000 }, (_, i) => ({ [`f${i}`]: { $gt: i } })),
    );
    const sixtyFive = toChromaFilter(F.and(...Array.from({ length: 65 }, (_, i) => F.lt(`f${i}`, i)))) as {
      where: { $and: Array<{ $and: unknown[] }> };
    };
    expect(sixtyFive.where.$and.map((g) => g.$and.length)).toEqual([33, 32]);
  });

  it("validates first", () => {
    expect(() => toChromaFilter({ op: "and", filters: [] } as never)).toThrowError(FilterError);
  });
});
