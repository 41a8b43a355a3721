import { describe, expect, it } from "vitest";
import { FilterError } from "../errors/errors.js";
import { F } from "./builders.js";
import { compileFilter, matchesFilter } from "./evaluate.js";
import { pushDownNot } from "./normalize.js";
import { validateFilter } from "./validate.js";

const rec = { lang: "ts", year: 2023, tags: ["hooks", "state"], open: true };

describe("validateFilter", () => {
  it("accepts every operator", () => {
    const f = F.and(
      F.eq("lang", "ts"),
      F.ne("lang", "go"),
      F.gt("year", 1),
      F.gte("year", 1),
      F.lt("year", 3000),
      F.lte("year", 3000),
      F.in("lang", ["ts", "js"]),
      F.nin("lang", ["go"]),
      F.contains("tags", "hooks"),
      F.not(F.eq("open", false)),
      F.or(F.eq("lang", "ts"), F.eq("lang", "js")),
    );
    expect(validateFilter(f)).toEqual(f);
  });

  it.each([
    [null, "plain object"],
    [[], "plain object"],
    [{ op: "where", field: "a", value: 1 }, "unknown operator"],
    [{ op: "$where", field: "a", value: 1 }, "unknown operator"],
    [{ op: "and", filters: [] }, "non-empty"],
    [{ op: "or" }, "non-empty"],
    [{ op: "eq", field: "__proto__", value: 1 }, "unsafe"],
    [{ op: "eq", field: "constructor", value: 1 }, "unsafe"],
    [{ op: "eq", field: "$where", value: 1 }, "may not start"],
    [{ op: "eq", field: "", value: 1 }, "non-empty string"],
    [{ op: "eq", field: "a", value: { $gt: 1 } }, "string, finite number or boolean"],
    [{ op: "eq", field: "a", value: Number.NaN }, "string, finite number or boolean"],
    [{ op: "gt", field: "a", value: "2023" }, "finite number"],
    [{ op: "in", field: "a", value: [] }, "non-empty array"],
    [{ op: "in", field: "a", value: [1, "1"] }, "one type"],
    [{ op: "eq", field: "a", value: 1, extra: true }, "unexpected key"],
    [{ op: "eq", field: "$document", value: "x" }, "only supports"],
    [{ op: "contains", field: "$document", value: "" }, "non-empty string"],
  ])("rejects %j with a FilterError", (input, message) => {
    expect(() => validateFilter(input)).toThrowError(FilterError);
    expect(() => validateFilter(input)).toThrowError(message);
  });

  it("rejects prototype-polluting JSON and deep nesting", () => {
    const hostile = JSON.parse('{"op":"eq","field":"a","value":1,"__proto__":{"x":1}}');
    expect(() => validateFilter(hostile)).toThrowError(FilterError);
    let deep: unknown = F.eq("a", 1);
    for (let i = 0; i < 40; i++) deep = { op: "not", filter: deep };
    expect(() => validateFilter(deep)).toThrowError("nested too deeply");
  });

  it("reports the path of the offending node", () => {
    try {
      validateFilter({ op: "and", filters: [F.eq("a", 1), { op: "gt", field: "b", value: "x" }] });
      expect.unreachable();
    } catch (e) {
      expect((e as FilterError).path).toBe("/filters/1/value");
    }
  });
});

describe("pushDownNot", () => {
  it("applies De Morgan and flattens", () => {
    const f = F.not(F.and(F.eq("a", 1), F.or(F.gt("b", 2), F.in("c", ["x"]))));
    const n = pushDownNot(f) as { op: string; filters: unknown[] };
    expect(n.op).toBe("or");
    expect(n.filters[0]).toEqual({ op: "ne", field: "a", value: 1 });
    expect(n.filters[1]).toEqual({
      op: "and",
      filters: [
        { op: "lte", field: "b", value: 2 },
        { op: "nin", field: "c", value: ["x"] },
      ],
    });
    expect(pushDownNot(F.not(F.not(F.contains("t", "x"))))).toEqual({
      op: "contains",
      field: "t",
      value: "x",
    });
    expect(pushDownNot(F.not(F.contains("t", "x")))).toEqual({ op: "ncontains", field: "t", value: "x" });
    expect(pushDownNot(F.and(F.and(F.eq("a", 1)), F.eq("b", 2)))).toEqual({
      op: "and",
      filters: [F.eq("a", 1), F.eq("b", 2)],
    });
  });
});

describe("evaluation", () => {
  it("evaluates comparisons", () => {
    expect(matchesFilter(F.eq("lang", "ts"), rec)).toBe(true);
    expect(matchesFilter(F.gte("year", 2023), rec)).toBe(true);
    expect(matchesFilter(F.gt("year", 2023), rec)).toBe(false);
    expect(matchesFilter(F.in("lang", ["js", "ts"]), rec)).toBe(true);
    expect(matchesFilter(F.nin("lang", ["js", "ts"]), rec)).toBe(false);
    expect(matchesFilter(F.contains("tags", "hooks"), rec)).toBe(true);
    expect(matchesFilter(F.not(F.contains("tags", "hooks")), rec)).toBe(false);
    expect(matchesFilter(F.eq("open", true), rec)).toBe(true);
  });

  it("on a missing field (or no metadata): ne, nin and not contains are true, the rest false", () => {
    for (const m of [rec, {}]) {
      for (const f of [F.eq("x", 1), F.gt("x", 1), F.lte("x", 1), F.in("x", [1]), F.contains("x", 1)]) {
        expect(matchesFilter(f, m)).toBe(false);
      }
      for (const f of [F.ne("x", 1), F.nin("x", [1]), F.not(F.contains("x", 1)), F.not(F.eq("x", 1))]) {
        expect(matchesFilter(f, m)).toBe(true);
      }
      expect(matchesFilter(F.not(F.gt("x", 1)), m)).toBe(false); // not gt = lte, false on a missing field
    }
  });

  it("matches Chroma on array and scalar fields", () => {
    expect(matchesFilter(F.eq("tags", "hooks"), rec)).toBe(false); // equality on an array field
    expect(matchesFilter(F.in("tags", ["hooks"]), rec)).toBe(false);
    expect(matchesFilter(F.gt("tags", 0), rec)).toBe(false);
    // an array equals no scalar, even one it holds
    expect(matchesFilter(F.ne("tags", "hooks"), rec)).toBe(true);
    expect(matchesFilter(F.nin("tags", ["hooks", "state"]), rec)).toBe(true);
    expect(matchesFilter(F.not(F.contains("tags", "nope")), rec)).toBe(true);
    expect(matchesFilter(F.contains("lang", "t"), rec)).toBe(false); // contains on a string field
    expect(matchesFilter(F.not(F.contains("lang", "ts")), rec)).toBe(true); // ... and its complement
  });

  it("tests document text with $document", () => {
    const match = compileFilter(F.contains("$document", "retry"));
    expect(match({}, "how to retry a request")).toBe(true);
    expect(match({}, "nothing here")).toBe(false);
  });

  it("does not read inherited properties", () => {
    expect(matchesFilter(F.eq("toString", "x"), {})).toBe(false);
  });
});
