import { describe, expect, it } from "vitest";
import { FilterError } from "../errors/errors.js";
import type { Metadata } from "../types/document.js";
import { F } from "./builders.js";
import { compileNormal, evaluatePlain, SET_MIN_VALUES } from "./compile.js";
import { compileFilter } from "./evaluate.js";
import { pushDownNot } from "./normalize.js";
import type { Filter, FilterScalar } from "./types.js";
import {
  MAX_FILTER_CHILDREN,
  MAX_FILTER_NODES,
  MAX_FILTER_VALUES,
  MAX_LIST_LENGTH,
  validateFilter,
} from "./validate.js";

const eqs = (field: string, n: number, offset = 0) =>
  Array.from({ length: n }, (_, i) => F.eq(field, i + offset));

function filterError(input: unknown): FilterError {
  try {
    validateFilter(input);
  } catch (e) {
    expect(e).toBeInstanceOf(FilterError);
    return e as FilterError;
  }
  throw new Error("expected a FilterError");
}

describe("validateFilter width and size limits", () => {
  it("rejects an and/or wider than MAX_FILTER_CHILDREN, with the path of the list", () => {
    expect(MAX_FILTER_CHILDREN).toBe(1024);
    expect(() => validateFilter(F.or(...eqs("a", MAX_FILTER_CHILDREN)))).not.toThrow();
    const wide = filterError(F.or(...eqs("a", 100_000)));
    expect(wide.path).toBe("/filters");
    expect(wide.message).toContain("at most 1024");
    const nested = filterError(F.and(F.eq("b", 1), F.not(F.and(...eqs("a", MAX_FILTER_CHILDREN + 1)))));
    expect(nested.path).toBe("/filters/1/filter/filters");
  });

  it("rejects an in/nin list longer than MAX_LIST_LENGTH", () => {
    const values = Array.from({ length: MAX_LIST_LENGTH }, (_, i) => i);
    expect(() => validateFilter(F.in("a", values))).not.toThrow();
    const e = filterError(F.and(F.eq("b", 1), F.nin("a", [...values, -1])));
    expect(e.path).toBe("/filters/1/value");
    expect(e.message).toContain(`at most ${MAX_LIST_LENGTH}`);
  });

  it("rejects a filter with more than MAX_FILTER_NODES nodes, even when each list is narrow", () => {
    // 1 + 8 + 8·600 = 4,809 nodes, no and/or wider than 600
    const big = F.and(...Array.from({ length: 8 }, (_, j) => F.or(...eqs(`f${j}`, 600))));
    const e = filterError(big);
    expect(e.message).toContain(`more than ${MAX_FILTER_NODES} nodes`);
    expect(e.path).toMatch(/^\/filters\/6\/filters\/\d+$/);
    expect(() =>
      validateFilter(F.and(...Array.from({ length: 6 }, (_, j) => F.or(...eqs(`f${j}`, 600))))),
    ).not.toThrow();
  });

  it("rejects more than MAX_FILTER_VALUES list values in one filter", () => {
    const list = Array.from({ length: MAX_LIST_LENGTH }, (_, i) => i);
    const n = MAX_FILTER_VALUES / MAX_LIST_LENGTH;
    expect(() =>
      validateFilter(F.or(...Array.from({ length: n }, (_, j) => F.in(`f${j}`, list)))),
    ).not.toThrow();
    const e = filterError(F.or(...Array.from({ length: n + 1 }, (_, j) => F.in(`f${j}`, list))));
    expect(e.path).toBe(`/filters/${n}/value`);
    expect(e.message).toContain(`more than ${MAX_FILTER_VALUES}`);
  });

  it("keeps the self-query calling convention: a path prefix for errors", () => {
    try {
      validateFilter({ op: "gt", field: "a", value: "x" }, "/where/0");
      expect.unreachable();
    } catch (e) {
      expect((e as FilterError).path).toBe("/where/0/value");
    }
  });
});

// ---- random filters: the Set path and the plain interpreter agree on every record ----

let seed = 7;
const rand = () => {
  seed = (seed * 48271) % 2147483647;
  return seed / 2147483647;
};
const int = (n: number) => Math.floor(rand() * n);
const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;

const FIELDS = ["a", "b", "c", "tags"] as const;
function scalar(): FilterScalar {
  switch (int(4)) {
    case 0:
      return int(30);
    case 1:
      return `s${int(30)}`;
    case 2:
      return rand() < 0.5;
    default:
      return int(30) - 0.5;
  }
}
function list(n: number): FilterScalar[] {
  const t = int(3);
  return Array.from({ length: n }, () => (t === 0 ? int(30) : t === 1 ? `s${int(30)}` : int(30) - 0.5));
}

function randomRecord(): Metadata {
  const m: Metadata = {};
  for (const f of FIELDS) {
    const r = rand();
    if (r < 0.2) continue; // missing field
    if (f === "tags" || r < 0.3) m[f] = rand() < 0.5 ? [`s${int(30)}`, `s${int(30)}`] : [int(30), int(30)];
    else m[f] = scalar();
  }
  return m;
}

function randomFilter(depth: number): Filter {
  const r = rand();
  if (depth > 0 && r < 0.45) {
    const op = rand() < 0.5 ? "or" : "and";
    const field = pick(FIELDS);
    // a run of eq/ne/in/nin on one field, so the grouping is exercised, plus random others
    const n = 1 + int(2 * SET_MIN_VALUES);
    const children: Filter[] = [];
    for (let i = 0; i < n; i++) {
      const q = rand();
      if (q < 0.35) children.push({ op: op === "or" ? "eq" : "ne", field, value: scalar() });
      else if (q < 0.55) children.push({ op: op === "or" ? "in" : "nin", field, value: list(1 + int(12)) });
      else if (q < 0.65) children.push({ op: op === "or" ? "ne" : "eq", field, value: scalar() });
      else children.push(randomFilter(depth - 1));
    }
    return { op, filters: children };
  }
  if (depth > 0 && r < 0.55) return F.not(randomFilter(depth - 1));
  const field = pick(FIELDS);
  const q = rand();
  if (q < 0.1) return F.contains("$document", `w${int(5)}`);
  if (q < 0.3) return { op: rand() < 0.5 ? "in" : "nin", field, value: list(1 + int(3 * SET_MIN_VALUES)) };
  if (q < 0.5) return { op: pick(["gt", "gte", "lt", "lte"] as const), field, value: int(30) - 0.5 };
  if (q < 0.6) return F.contains(field, scalar());
  return { op: rand() < 0.5 ? "eq" : "ne", field, value: scalar() };
}

describe("compiled filters (Set path) match the plain interpreter", () => {
  it("on 400 random filters over 300 random records", () => {
    const records = Array.from({ length: 300 }, () => ({
      metadata: randomRecord(),
      text: Array.from({ length: 3 }, () => `w${int(8)}`).join(" "),
    }));
    let matched = 0;
    let total = 0;
    const mismatches: string[] = [];
    for (let t = 0; t < 400; t++) {
      const filter = randomFilter(3);
      const normal = pushDownNot(validateFilter(filter));
      const compiled = compileNormal(normal);
      for (const r of records) {
        const want = evaluatePlain(normal, r.metadata, r.text);
        if (compiled(r.metadata, r.text) !== want)
          mismatches.push(`${JSON.stringify(filter)} on ${JSON.stringify(r)}`);
        if (want) matched++;
        total++;
      }
    }
    expect(mismatches.slice(0, 3)).toEqual([]);
    // the generator gives both answers often enough for the comparison to mean something
    expect(matched / total).toBeGreaterThan(0.05);
    expect(matched / total).toBeLessThan(0.95);
  });

  it("on a 10,000-value in, an or of 1,024 eqs and its negation", () => {
    const values = Array.from({ length: MAX_LIST_LENGTH }, (_, i) => i * 3);
    const records = Array.from(
      { length: 2000 },
      (_, i): Metadata => (i % 10 === 0 ? {} : { a: i, b: `s${i}` }),
    );
    const filters: Filter[] = [
      F.in("a", values),
      F.nin("a", values),
      F.or(...eqs("a", MAX_FILTER_CHILDREN, 500)),
      F.not(F.or(...eqs("a", MAX_FILTER_CHILDREN, 500))),
      F.or(F.in("a", values.slice(0, 50)), F.eq("a", 1), F.eq("b", "s7"), F.in("b", ["s8", "s9"])),
    ];
    for (const f of filters) {
      const normal = pushDownNot(validateFilter(f));
      const match = compileFilter(f);
      const got = records.filter((m) => match(m));
      const want = records.filter((m) => evaluatePlain(normal, m, ""));
      expect(got).toEqual(want);
    }
    // `not (x = 1 or ...)` (an and of nes) is true on a record without x or with an array there
    expect(compileFilter(F.not(F.or(...eqs("a", 20))))({})).toBe(true);
    expect(compileFilter(F.not(F.or(...eqs("a", 20))))({ a: [1, 2] })).toBe(true);
    expect(compileFilter(F.nin("a", values))({ a: [0, 3] })).toBe(true);
    expect(compileFilter(F.or(...eqs("a", 20)))({ a: [1, 2] })).toBe(false);
  });
});
